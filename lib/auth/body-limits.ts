/**
 * How large a request body may be. Pure (no server-only): next.config.js cannot import TypeScript, so it
 * repeats SERVER_ACTION_BODY_LIMIT; body-limits.test.ts checks that the two agree.
 */

/**
 * The largest body a server action takes, for everyone. The largest legitimate one is the upload of
 * EncryptedKeyMaterial.bin (at most MAX_BLOB_BYTES, 6 KB, in lib/imports/schemas.ts) in a multipart form, or a
 * start-import form with a 1,000-character justification (up to 4 bytes a character); 64 KB leaves room for
 * the form's encoding and nothing for abuse.
 */
export const SERVER_ACTION_BODY_LIMIT = "64kb";
export const SERVER_ACTION_BODY_LIMIT_BYTES = 64 * 1024;

/** The largest body someone without a session may send: a sign-in form, or an action call that will be refused. */
export const SIGNED_OUT_BODY_LIMIT_BYTES = 16 * 1024;

const BODY_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export type BodyRefusal = "payload_too_large" | "length_required";

/**
 * Why a body would be refused, from its headers alone (the body is not read), for someone signed in
 * (`signedIn`) or not: larger than any action takes, for everyone; for the signed-out, larger than
 * SIGNED_OUT_BODY_LIMIT_BYTES or of unknown length (chunked, no Content-Length). Null when it may pass.
 */
export function bodyRefusal(method: string, contentLength: string | null, transferEncoding: string | null, signedIn = false): BodyRefusal | null {
  if (!BODY_METHODS.has(method.toUpperCase())) return null;
  const limit = signedIn ? SERVER_ACTION_BODY_LIMIT_BYTES : SIGNED_OUT_BODY_LIMIT_BYTES;
  if (contentLength === null || contentLength.trim() === "") {
    // A signed-in body of unknown length is still cut at the action limit by Next (next.config.js).
    return !signedIn && transferEncoding && transferEncoding.trim() !== "" ? "length_required" : null;
  }
  if (!/^\d+$/.test(contentLength.trim())) return "payload_too_large";
  return Number(contentLength.trim()) > limit ? "payload_too_large" : null;
}
