import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Secrets at rest (import tokens, uploaded wrapped key material): AES-256-GCM under the configured data key
 * (`getConfig().dataKey`), readable under the previous ones (`getConfig().previousDataKeys`) while they are
 * re-sealed (`npm run data-key:reseal`).
 *
 * Sealed format (bytes), version 2:  2 (1) ‖ key id (8) ‖ nonce (12) ‖ ciphertext (n) ‖ tag (16)
 * The key id is the first 8 bytes of SHA-256 of the data key (`dataKeyId`), so a value names the key that
 * sealed it and Keyport can say which key is missing instead of "wrong key". The AAD is
 * `version ‖ key id ‖ UTF-8(aad)`, where `aad` names the row and purpose the secret belongs to (see
 * `secretAad`), so a ciphertext copied into another row or column fails to open.
 *
 * Version 1 (written before the key id existed):  1 (1) ‖ nonce (12) ‖ ciphertext (n) ‖ tag (16), AAD
 * `1 ‖ UTF-8(aad)`. Still read: under the current key, then each previous key.
 */

const V1 = 1;
const V2 = 2;
const KEY_ID_BYTES = 8;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** The data key that seals, and the earlier ones still accepted for reading. */
export type DataKeyRing = { current: Buffer; previous: readonly Buffer[] };
/** One key (it seals and opens), or a ring. */
export type DataKeys = Buffer | DataKeyRing;

export class SecretOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretOpenError";
  }
}

function ringOf(keys: DataKeys): DataKeyRing {
  return Buffer.isBuffer(keys) ? { current: keys, previous: [] } : keys;
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`The data key must be ${KEY_BYTES} bytes; it is ${key.length}.`);
}

/** A data key's short public fingerprint: the first 8 bytes of its SHA-256, hex. Safe to log and show. */
export function dataKeyId(key: Buffer): string {
  return createHash("sha256").update(key).digest().subarray(0, KEY_ID_BYTES).toString("hex");
}

function aadBytes(prefix: Buffer, aad: string): Buffer {
  if (aad.length === 0) throw new RangeError("An AAD is required: name the row and purpose, e.g. parameter_set.import_token:<id>.");
  return Buffer.concat([prefix, Buffer.from(aad, "utf8")]);
}

/** Seals under the ring's current key (or the one key given), in the current format. */
export function sealSecret(plaintext: Buffer, keys: DataKeys, aad: string): Buffer {
  const key = ringOf(keys).current;
  checkKey(key);
  const header = Buffer.concat([Buffer.of(V2), Buffer.from(dataKeyId(key), "hex")]);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadBytes(header, aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
}

function decrypt(key: Buffer, header: Buffer, rest: Buffer, aad: string): Buffer | null {
  if (rest.length < NONCE_BYTES + TAG_BYTES) throw new SecretOpenError("Sealed secret is too short.");
  const nonce = rest.subarray(0, NONCE_BYTES);
  const tag = rest.subarray(rest.length - TAG_BYTES);
  const body = rest.subarray(NONCE_BYTES, rest.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aadBytes(header, aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return null;
  }
}

/** The id of the key that sealed `sealed` (version 2), or null for a version 1 value that does not say. */
export function sealedKeyId(sealed: Buffer): string | null {
  if (sealed.length < 1 + KEY_ID_BYTES || sealed[0] !== V2) return null;
  return sealed.subarray(1, 1 + KEY_ID_BYTES).toString("hex");
}

/** True when `sealed` is already in the current format under `current` (re-sealing would change nothing). */
export function isSealedUnder(sealed: Buffer, current: Buffer): boolean {
  return sealedKeyId(sealed) === dataKeyId(current);
}

/**
 * Opens what `sealSecret` made, under the key the value names (version 2) or under each key of the ring in
 * turn (version 1). Throws `SecretOpenError` for an unknown key (naming its id), a wrong AAD or any altered
 * byte. Never echoes key material or secret bytes.
 */
export function openSecret(sealed: Buffer, keys: DataKeys, aad: string): Buffer {
  const ring = ringOf(keys);
  const all = [ring.current, ...ring.previous];
  all.forEach(checkKey);
  if (sealed.length < 1) throw new SecretOpenError("Sealed secret is too short.");
  if (sealed[0] === V1) {
    const header = sealed.subarray(0, 1);
    for (const key of all) {
      const opened = decrypt(key, header, sealed.subarray(1), aad);
      if (opened) return opened;
    }
    throw new SecretOpenError(
      "Sealed secret (version 1, no key id) failed authentication under KEYPORT_DATA_KEY and every KEYPORT_DATA_KEY_PREVIOUS (wrong key, wrong row, or altered bytes).",
    );
  }
  if (sealed[0] !== V2) throw new SecretOpenError(`Unknown sealed-secret version ${sealed[0]}.`);
  if (sealed.length < 1 + KEY_ID_BYTES + NONCE_BYTES + TAG_BYTES) throw new SecretOpenError("Sealed secret is too short.");
  const header = sealed.subarray(0, 1 + KEY_ID_BYTES);
  const id = sealedKeyId(sealed)!;
  const key = all.find((k) => dataKeyId(k) === id);
  if (!key) {
    throw new SecretOpenError(
      `Sealed secret was sealed under data key ${id}, which is neither KEYPORT_DATA_KEY (${dataKeyId(ring.current)}) nor in KEYPORT_DATA_KEY_PREVIOUS. Add the key with id ${id} to KEYPORT_DATA_KEY_PREVIOUS.`,
    );
  }
  const opened = decrypt(key, header, sealed.subarray(header.length), aad);
  if (!opened) throw new SecretOpenError(`Sealed secret failed authentication under data key ${id} (wrong row, or altered bytes).`);
  return opened;
}

export type SecretPurpose = "parameter_set.import_token" | "wrapped_blob.ciphertext";

/** The AAD for a secret stored in `purpose` of the row `id`, e.g. `parameter_set.import_token:<uuid>`. */
export function secretAad(purpose: SecretPurpose, id: string): string {
  return `${purpose}:${id}`;
}

/** Lowercase hex SHA-256 of bytes or of a string's UTF-8 encoding. */
export function sha256Hex(data: Buffer | Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}
