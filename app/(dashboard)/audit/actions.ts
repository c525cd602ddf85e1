"use server";

import { z } from "zod";
import { appendAuditStandalone, verifyAudit, type AuditVerification } from "@/lib/audit";
import { checkpointEvidence } from "@/lib/audit/signing";
import { defineAction } from "@/lib/auth";
import { getDb } from "@/lib/db";

export type VerificationDto = AuditVerification;

/** Walks the whole hash chain and its checkpoints and records that it was checked, and what was found. */
export const verifyAuditTrail = defineAction(
  { name: "verifyAuditTrail", permission: "audit.verify", schema: z.object({}).strict() },
  async (_input, { session }): Promise<VerificationDto> => {
    const db = await getDb();
    // Held to the pinned signing key and to the latest checkpoint kept outside the database, when configured.
    const { publicKey, keyArn, latestExternal } = await checkpointEvidence();
    const result = await verifyAudit(db, { publicKey, keyArn, latestExternal });
    await appendAuditStandalone(db, {
      action: "audit.verified",
      actor: { subject: session.user.id, name: session.user.name, roles: session.user.roles },
      details: {
        ok: result.ok,
        count: result.count,
        lastSeq: result.lastSeq,
        lastHash: result.lastHash,
        checkpoints: result.checkpoints,
        signaturesChecked: result.signaturesChecked,
        externalChecked: result.externalChecked,
        breaks: result.breakCount,
        firstBreak: result.breaks[0] ?? null,
      },
    });
    return result;
  },
);
