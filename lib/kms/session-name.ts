/**
 * RoleSessionName and SourceIdentity must match [\w+=,.@-] and be 2–64
 * characters, and SourceIdentity may not start with "aws:". Keyport derives
 * both from the signed-in person so CloudTrail names who acted.
 */

const ALLOWED = /[^\w+=,.@-]/g;
const MAX = 64;

/**
 * A stable, valid session name for a person: their e-mail (or subject) with
 * every disallowed character replaced, shortened with a hash suffix when too
 * long so two long names never collide.
 */
export function sessionNameFor(identity: string): string {
  const cleaned = identity.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(ALLOWED, "_").replace(/^aws:/i, "aws_");
  let name = cleaned.replace(/^_+|_+$/g, "");
  if (name.length < 2) name = `user-${fnv1a(identity)}`;
  if (name.length > MAX) name = `${name.slice(0, MAX - 9)}-${fnv1a(identity)}`;
  // "aws:" is already gone; a leading "aws" without the colon is allowed by STS.
  return name;
}

export const SERVICE_SESSION_NAME = "keyport-inventory";

export function isValidSessionName(name: string): boolean {
  return name.length >= 2 && name.length <= MAX && !/[^\w+=,.@-]/.test(name) && !/^aws:/i.test(name);
}

/** 32-bit FNV-1a as 8 hex characters: short, deterministic, no crypto needed for a disambiguating suffix. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, "utf8")) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
