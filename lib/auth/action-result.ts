/**
 * What a server action answers, as the browser receives it. Pure, so client components import it without
 * reaching into the server-only guard (lib/auth/guard.ts) that produces it.
 */

/** zod issues keyed by dotted path ("" for the input as a whole), for forms to show beside their fields. */
export type FieldErrors = Record<string, string[]>;

export type ActionFailure = { ok: false; code: string; message: string; fieldErrors?: FieldErrors; reference?: string };
export type ActionResult<T> = { ok: true; data: T } | ActionFailure;
