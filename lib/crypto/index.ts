import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Secrets at rest (import tokens, uploaded wrapped key material): AES-256-GCM under the configured data key
 * (`getConfig().dataKey`).
 *
 * Sealed format (bytes):  version (1) ‖ nonce (12) ‖ ciphertext (n) ‖ tag (16)
 * The AAD is `version ‖ UTF-8(aad)`, where `aad` names the row and purpose the secret belongs to
 * (see `secretAad`), so a ciphertext copied into another row or column fails to open.
 */

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

export class SecretOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretOpenError";
  }
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`The data key must be ${KEY_BYTES} bytes; it is ${key.length}.`);
}

function aadBytes(aad: string): Buffer {
  if (aad.length === 0) throw new RangeError("An AAD is required: name the row and purpose, e.g. parameter_set.import_token:<id>.");
  return Buffer.concat([Buffer.of(VERSION), Buffer.from(aad, "utf8")]);
}

export function sealSecret(plaintext: Buffer, key: Buffer, aad: string): Buffer {
  checkKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadBytes(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), nonce, body, cipher.getAuthTag()]);
}

/** Opens what `sealSecret` made. Throws `SecretOpenError` for a wrong key, wrong AAD or any altered byte. */
export function openSecret(sealed: Buffer, key: Buffer, aad: string): Buffer {
  checkKey(key);
  if (sealed.length < OVERHEAD) throw new SecretOpenError("Sealed secret is too short.");
  if (sealed[0] !== VERSION) throw new SecretOpenError(`Unknown sealed-secret version ${sealed[0]}.`);
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aadBytes(aad));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    // Node says only "Unsupported state or unable to authenticate data"; never echo key material or bytes.
    throw new SecretOpenError("Sealed secret failed authentication (wrong key, wrong row, or altered bytes).");
  }
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
