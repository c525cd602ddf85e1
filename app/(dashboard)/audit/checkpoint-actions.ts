"use server";

import { z } from "zod";
import { checkpointNow } from "@/lib/audit/signing";
import { defineAction } from "@/lib/auth";

export type CheckpointDto = { seq: number; headSeq: number; at: string };

/**
 * Signs a checkpoint of the chain now, with the configured KMS key, in the name of the person who asked (the
 * checkpoint event records them). Auditors use it before they export, so the export ends on a signed head.
 */
export const signAuditCheckpoint = defineAction(
  { name: "signAuditCheckpoint", permission: "audit.verify", schema: z.object({}).strict() },
  async (_input, { session }): Promise<CheckpointDto> => {
    const event = await checkpointNow("on_demand", { subject: session.user.id, name: session.user.name, roles: session.user.roles });
    // On demand always signs, so there is an event.
    return { seq: event!.seq, headSeq: event!.seq - 1, at: event!.at.toISOString() };
  },
);
