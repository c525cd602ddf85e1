"use server";

import { z } from "zod";
import { appendAuditStandalone, verifyAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth";
import { getDb } from "@/lib/db";

export type VerificationDto =
  | { ok: true; count: number; lastSeq: number; lastHash: string }
  | { ok: false; count: number; brokenAt: { seq: number; id: string; reason: string } };

/** Walks the whole hash chain and records that it was checked, and what was found. */
export const verifyAuditTrail = defineAction(
  { name: "verifyAuditTrail", permission: "audit.verify", schema: z.object({}).strict() },
  async (_input, { session }): Promise<VerificationDto> => {
    const db = await getDb();
    const result = await verifyAudit(db);
    await appendAuditStandalone(db, {
      action: "audit.verified",
      actor: { subject: session.user.id, name: session.user.name, roles: session.user.roles },
      details: result.ok ? { ok: true, count: result.count, lastSeq: result.lastSeq, lastHash: result.lastHash } : { ok: false, ...result.brokenAt },
    });
    return result;
  },
);
