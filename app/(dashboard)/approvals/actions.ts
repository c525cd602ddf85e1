"use server";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth";
import { actorOf, importDeps, workflow } from "@/lib/imports";
import { decisionSchema, requestRefSchema, sessionDecisionSchema } from "@/lib/imports/schemas";

/**
 * An approver's decisions. The permission lets approvers (and admins) in; lib/imports then refuses the
 * requester and the uploader of the request, whatever their role.
 */

export const decideImportRequest = defineAction(
  { name: "decideImportRequest", permission: "imports.approve", schema: decisionSchema },
  async (input, { session }) => {
    const outcome = await workflow.decide(await importDeps(), actorOf(session), input);
    revalidatePath("/", "layout");
    return outcome;
  },
);

export const retryImportRequest = defineAction(
  { name: "retryImportRequest", permission: "imports.approve", schema: requestRefSchema },
  async ({ requestId }, { session }) => {
    const execution = await workflow.retryRequest(await importDeps(), actorOf(session), requestId);
    revalidatePath("/", "layout");
    return execution;
  },
);

/** One decision for a multi-Region import session: every open Region, primary first. */
export const decideImportSession = defineAction(
  { name: "decideImportSession", permission: "imports.approve", schema: sessionDecisionSchema },
  async (input, { session }) => {
    const outcome = await workflow.decideSession(await importDeps(), actorOf(session), input);
    revalidatePath("/", "layout");
    return { regions: outcome.regions.map((o) => ({ region: o.region, requestId: o.requestId, state: o.outcome.state })), verified: outcome.verification?.ok ?? null };
  },
);
