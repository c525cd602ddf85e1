"use server";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth";
import { acknowledge } from "@/lib/drift";
import { acknowledgeFindingSchema } from "@/lib/drift/schemas";

/**
 * An auditor or admin acknowledges a change made in KMS outside Keyport, saying why it is accepted. Shown on
 * the pending view and on the key's page.
 */
export const acknowledgeDriftFinding = defineAction(
  { name: "acknowledgeDriftFinding", permission: "drift.acknowledge", schema: acknowledgeFindingSchema },
  async (input, { session }) => {
    const { acknowledgedAt } = await acknowledge({ subject: session.user.id, name: session.user.name, roles: session.user.roles }, input);
    // Findings show on the pending view and the key pages.
    revalidatePath("/", "layout");
    return { acknowledgedAt: acknowledgedAt.toISOString() };
  },
);
