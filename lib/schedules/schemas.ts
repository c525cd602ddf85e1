import { z } from "zod";
import { keyIdSchema, regionSchema, targetIdSchema } from "@/lib/imports/schemas";
import { one } from "@/lib/validation";

/**
 * What a person sends to set a schedule, shared by the forms and the server actions. Both parts are
 * optional; a policy with neither is cleared. Pure (no server-only).
 */

import { REIMPORT_DAYS, ROTATE_DAYS } from "./limits";
import { ROTATION_STATES, SCHEDULE_LISTS } from "./lists";

export { REIMPORT_DAYS, ROTATE_DAYS } from "./limits";

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

function days(bounds: { min: number; max: number }, what: string) {
  const sentence = `${what} must be a whole number of days from ${bounds.min} to ${bounds.max}.`;
  return one(
    z.preprocess(
      blank,
      z.coerce
        .number({ error: sentence })
        .int(sentence)
        .min(bounds.min, sentence)
        .max(bounds.max, sentence)
        .optional(),
    ),
  );
}

const parts = {
  reimportDaysBefore: days(REIMPORT_DAYS, "Reimport before ValidTo"),
  rotateEveryDays: days(ROTATE_DAYS, "New material every"),
};

/** A key's own schedule (it replaces its account's). */
export const keyScheduleSchema = z.object({
  target: one(targetIdSchema),
  region: one(regionSchema),
  keyId: one(keyIdSchema),
  ...parts,
});
export type KeyScheduleInput = z.input<typeof keyScheduleSchema>;

/** An account's schedule: every key in it without a schedule of its own follows it. */
export const targetScheduleSchema = z.object({ target: one(targetIdSchema), ...parts });
export type TargetScheduleInput = z.input<typeof targetScheduleSchema>;

/** The key whose scheduled reimport starts in one click. */
export const scheduledReimportSchema = z.object({ target: one(targetIdSchema), region: one(regionSchema), keyId: one(keyIdSchema) });

const lenient = <S extends z.ZodType>(schema: S) => one(schema.optional()).catch(undefined);

/** /schedules?list=…&status=…&target=…&page=… (./lists.ts); anything malformed falls back to the overview. */
export const schedulesQuerySchema = z.object({
  list: lenient(z.enum(SCHEDULE_LISTS)),
  status: lenient(z.enum(ROTATION_STATES)),
  target: lenient(targetIdSchema),
  page: one(z.coerce.number().int().min(1).max(100_000)).catch(1),
});
export type SchedulesQuery = z.output<typeof schedulesQuerySchema>;
