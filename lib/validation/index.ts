import { z } from "zod";

/**
 * Checks shared by every schema that reads what a person typed or sent. Pure (no server-only): the forms
 * use the same schemas as the server actions.
 */

/**
 * Where the first character a person cannot have meant to type sits, as a 1-based position counted in
 * characters (code points), or null. Refused: NUL and the other C0 controls, DEL, the C1 controls, and lone
 * UTF-16 surrogates (half of a character, which PostgreSQL refuses to store). `multiline` allows line
 * breaks and tabs, as a text area sends them (browsers submit a line break as CR LF).
 */
export function controlCharacterAt(value: string, opts: { multiline?: boolean } = {}): { position: number; codePoint: number } | null {
  let position = 0;
  for (const ch of value) {
    position += 1;
    const code = ch.codePointAt(0)!;
    if (opts.multiline && (ch === "\n" || ch === "\t" || ch === "\r")) continue;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    const loneSurrogate = code >= 0xd800 && code <= 0xdfff; // a paired surrogate iterates as one code point above 0xFFFF
    if (control || loneSurrogate) return { position, codePoint: code };
  }
  return null;
}

export function controlCharacterMessage(found: { position: number; codePoint: number }): string {
  const hex = found.codePoint.toString(16).toUpperCase().padStart(4, "0");
  return `Remove the control character at position ${found.position} (U+${hex}); it cannot be stored.`;
}

/** A string schema that refuses control characters and lone surrogates, naming where the first one is. */
export function text(opts: { multiline?: boolean; message?: string } = {}) {
  return z.string(opts.message).superRefine((value, ctx) => {
    const found = controlCharacterAt(value, opts);
    if (found) ctx.addIssue({ code: "custom", message: controlCharacterMessage(found) });
  });
}

/** A UTC calendar day as YYYY-MM-DD that exists: no month 13, no 31 February (Date would roll it into March). */
export function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** An ISO 8601 date-time with an offset whose date part exists (no 2027-02-31T…, which Date rolls over). */
export function isCalendarDateTime(value: string): boolean {
  return z.iso.datetime({ offset: true }).safeParse(value).success && isCalendarDay(value.slice(0, 10));
}

/**
 * For a field that takes one value: refuses an array of several (a form that sent the name twice, or a
 * crafted call) instead of picking one of them, and unwraps an array of one.
 */
export function one<S extends z.ZodType>(schema: S) {
  return z.preprocess((value, ctx) => {
    if (!Array.isArray(value)) return value;
    if (value.length === 1) return value[0];
    ctx.addIssue({ code: "custom", message: `Give one value here, not ${value.length}.`, input: value });
    return z.NEVER;
  }, schema);
}
