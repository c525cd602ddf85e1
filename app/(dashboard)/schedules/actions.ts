"use server";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth";
import { actorOf, importDeps } from "@/lib/imports";
import { knownTarget, scheduleDeps, setPolicy, startScheduledReimport } from "@/lib/schedules";
import { scheduledReimportSchema, targetScheduleSchema } from "@/lib/schedules/schemas";

/** Setting an account's schedule, and starting a scheduled reimport in one click (a key's own schedule: the key page's actions). */

export const setTargetSchedule = defineAction(
  { name: "setTargetSchedule", permission: "schedules.manage", schema: targetScheduleSchema },
  async ({ target, ...parts }, { session }) => {
    const deps = await scheduleDeps();
    const outcome = await setPolicy(deps.db, actorOf(session), { scope: "target", targetId: target }, parts, deps.now(), knownTarget);
    revalidatePath("/", "layout");
    return outcome;
  },
);

/** Opens a reimport request copying the key's last import, and obtains its parameters as the person. */
export const startScheduledReimportRequest = defineAction(
  { name: "startScheduledReimportRequest", permission: "schedules.manage", schema: scheduledReimportSchema },
  async (input, { session }) => {
    const outcome = await startScheduledReimport(await importDeps(), actorOf(session), input);
    revalidatePath("/", "layout");
    return outcome;
  },
);
