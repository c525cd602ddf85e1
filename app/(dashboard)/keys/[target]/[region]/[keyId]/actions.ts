"use server";

import { revalidatePath } from "next/cache";
import { defineAction } from "@/lib/auth";
import { actorOf, importDeps, workflow } from "@/lib/imports";
import { breakGlassSchema, requestDeletionSchema, startImportSchema, startSessionSchema } from "@/lib/imports/schemas";
import { knownTarget, scheduleDeps, setPolicy } from "@/lib/schedules";
import { keyScheduleSchema } from "@/lib/schedules/schemas";

/** Starting work on a key: an import or rotation (parameters are obtained at once), or deleting its material; and its schedule. */

export const startImportRequest = defineAction(
  { name: "startImportRequest", permission: "imports.request", schema: startImportSchema },
  async (input, { session }) => {
    const outcome = await workflow.startImport(await importDeps(), actorOf(session), input);
    revalidatePath("/", "layout");
    return outcome;
  },
);

/** A multi-Region import session: one request per chosen Region, parameters in every Region at once. */
export const startImportSession = defineAction(
  { name: "startImportSession", permission: "imports.request", schema: startSessionSchema },
  async (input, { session }) => {
    const outcome = await workflow.startSession(await importDeps(), actorOf(session), input);
    revalidatePath("/", "layout");
    return outcome;
  },
);

export const requestKeyMaterialDeletion = defineAction(
  { name: "requestKeyMaterialDeletion", permission: "material.delete.request", schema: requestDeletionSchema },
  async (input, { session }) => {
    const outcome = await workflow.requestMaterialDeletion(await importDeps(), actorOf(session), input);
    revalidatePath("/", "layout");
    return outcome;
  },
);

/** The key's own schedule (it replaces its account's); both parts empty clears it. */
export const setKeySchedule = defineAction(
  { name: "setKeySchedule", permission: "schedules.manage", schema: keyScheduleSchema },
  async ({ target, region, keyId, ...parts }, { session }) => {
    const deps = await scheduleDeps();
    const outcome = await setPolicy(deps.db, actorOf(session), { scope: "key", targetId: target, region, keyId }, parts, deps.now(), knownTarget);
    revalidatePath("/", "layout");
    return outcome;
  },
);

/**
 * Break glass: the key's material deleted in every Region of its set at once, by this person alone. The
 * permission is checked here; whether break glass is turned on (KEYPORT_BREAK_GLASS) is checked by the workflow.
 */
export const breakGlassDeleteMaterial = defineAction(
  { name: "breakGlassDeleteMaterial", permission: "break_glass", schema: breakGlassSchema },
  async (input, { session }) => {
    const outcome = await workflow.breakGlass(await importDeps(), actorOf(session), input);
    revalidatePath("/", "layout");
    return outcome;
  },
);
