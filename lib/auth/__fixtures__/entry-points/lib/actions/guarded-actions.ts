"use server";

import { z } from "zod";
import { defineAction } from "@/lib/auth/guard";

export const verifyAuditChain = defineAction({ name: "verifyAuditChain", permission: "audit.verify", schema: z.object({}).optional() }, async () => ({
  verified: true,
}));

export const approveImport = defineAction(
  { name: "approveImport", permission: "imports.approve", schema: z.object({ requestId: z.string() }) },
  async () => ({ approved: true }),
);
