import "server-only";
import { evidenceStretch } from "@/lib/audit/evidence";
import { EVIDENCE_FORMAT, EVIDENCE_VERSION, type EvidenceRecord } from "@/lib/audit/evidence-format";
import type { Db } from "@/lib/db";
import { requestNotFound } from "./errors";
import * as queries from "./queries";

/**
 * The evidence record of a request (lib/audit/evidence-format.ts): the request as Keyport holds it, and its
 * stretch of the audit chain with the steps derived from it, ready to download or print.
 */
export async function evidenceFor(db: Db, requestId: string, generatedBy: { subject: string; name: string | null }, at: Date): Promise<EvidenceRecord> {
  const req = await queries.getRequest(db, requestId);
  if (!req) throw requestNotFound();
  const stretch = await evidenceStretch(db, requestId);
  // Every request records import.requested (or its deletion counterpart) in the transaction that creates it.
  if (!stretch) throw requestNotFound();
  return {
    format: EVIDENCE_FORMAT,
    v: EVIDENCE_VERSION,
    generatedAt: at.toISOString(),
    generatedBy,
    request: {
      id: req.id,
      kind: req.kind,
      state: req.state,
      targetId: req.targetId,
      region: req.region,
      keyArn: req.keyArn,
      keySpec: req.keySpec,
      wrappingAlgorithm: req.wrappingAlgorithm,
      wrappingKeySpec: req.wrappingKeySpec,
      importType: req.importType,
      expirationModel: req.expirationModel,
      validTo: req.validTo?.toISOString() ?? null,
      justification: req.justification,
      requestedBy: { subject: req.requestedBySubject, name: req.requestedByName, email: req.requestedByEmail },
      createdAt: req.createdAt.toISOString(),
      closedAt: req.closedAt?.toISOString() ?? null,
      keyMaterialId: req.keyMaterialId,
    },
    ...stretch,
  };
}
