import "server-only";
import { and, asc, eq, gte, lte, max, min } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { KeyportError } from "@/lib/errors";
import { nearestCheckpoint } from "./checkpoints";
import { MAX_EVIDENCE_EVENTS, stepsOf, type EvidenceRecord } from "./evidence-format";
import { exportObject } from "./export-format";
import { auditEventColumns, toAuditEvent } from "./rows";

/**
 * The audit side of an evidence record (evidence-format.ts): the request's stretch of the chain, from its
 * first event to the first signed checkpoint after its last, the steps derived from it, and the checkpoints
 * around it. Four indexed queries and one range scan.
 */
export async function evidenceStretch(db: Db, requestId: string): Promise<Pick<EvidenceRecord, "range" | "steps" | "events" | "checkpoints"> | null> {
  const [bounds] = await db
    .select({ first: min(auditEvents.seq), last: max(auditEvents.seq) })
    .from(auditEvents)
    .where(eq(auditEvents.requestId, requestId));
  if (!bounds?.first || !bounds.last) return null;
  const { first, last } = bounds;
  const after = await nearestCheckpoint(db, { after: last });
  const before = await nearestCheckpoint(db, { before: first });
  const end = after?.seq ?? Number.MAX_SAFE_INTEGER;
  const rows = await db
    .select(auditEventColumns)
    .from(auditEvents)
    .where(and(gte(auditEvents.seq, first), lte(auditEvents.seq, end)))
    .orderBy(asc(auditEvents.seq))
    .limit(MAX_EVIDENCE_EVENTS + 1);
  if (rows.length > MAX_EVIDENCE_EVENTS) {
    throw new KeyportError(
      "evidence_too_long",
      `This request's stretch of the audit trail is longer than ${MAX_EVIDENCE_EVENTS.toLocaleString("en")} events, too long for one evidence record. Export the trail for its dates from /audit and verify that instead.`,
      { status: 422 },
    );
  }
  const events = rows.map(toAuditEvent);
  return { range: { first, last }, steps: stepsOf(events, requestId), events: events.map(exportObject), checkpoints: { before, after } };
}
