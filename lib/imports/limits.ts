/**
 * The limits and fixed words of import forms that the browser needs too: plain values, no validation library,
 * so a client component that shows a limit does not ship the schemas (./schemas) that enforce it on the server.
 */

export const JUSTIFICATION_MAX = 1000;

/** What a decision on a deletion names as the blob it reviewed: a deletion has none. */
export const NO_BLOB = "none";

export const CONFIRMATION_REQUIRED = "Tick the box to confirm you checked this with the uploader outside Keyport before approving.";

export const BREAK_GLASS_REASON_MIN = 20;

/** Whether `typed` names the key: its id, or one of its aliases with or without the `alias/` prefix. */
export function confirmsKey(typed: string, key: { keyId: string; aliases: readonly string[] }): boolean {
  const value = typed.trim();
  if (!value) return false;
  return value === key.keyId || key.aliases.some((alias) => value === alias || `alias/${value}` === alias);
}
