import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { kms } from "../errors";
import type { RsaWrappingKeySpec, SupportedWrappingAlgorithm } from "./wrap";

/**
 * Import tokens are sealed boxes: AES-256-GCM under a key derived from the emulator's secret, carrying the
 * key ARN, the wrapping algorithm and spec, the expiry and the wrapping private key itself. So a token is
 * bound to its key and its wrapping key pair, cannot be forged or altered, and needs no server-side table
 * (tokens survive restarts with `--state`, since the secret is persisted). Padded to a fixed size close to
 * the ~2.6 KB of real tokens so nothing downstream depends on a size KMS would not produce.
 */

const MAGIC = Buffer.from("KPIT1");
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Plaintext is padded to this many bytes (an RSA_4096 PKCS#8 key is ~2.38 KB). */
const PADDED_PLAINTEXT_BYTES = 2560;

export interface ImportTokenPayload {
  keyArn: string;
  algorithm: SupportedWrappingAlgorithm;
  wrappingKeySpec: RsaWrappingKeySpec;
  /** Epoch ms: ParametersValidTo. */
  validTo: number;
  /** PKCS#8 DER of the wrapping private key. */
  privateKeyDer: Buffer;
}

export function deriveTokenKey(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), "keyport-emulator import-token v1", 32));
}

export function sealImportToken(tokenKey: Buffer, payload: ImportTokenPayload): Buffer {
  const header = Buffer.from(
    JSON.stringify({ k: payload.keyArn, a: payload.algorithm, s: payload.wrappingKeySpec, v: payload.validTo }),
  );
  const body = Buffer.concat([u16(header.length), header, u16(payload.privateKeyDer.length), payload.privateKeyDer]);
  const padding = randomBytes(Math.max(0, PADDED_PLAINTEXT_BYTES - body.length));
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", tokenKey, nonce);
  cipher.setAAD(MAGIC);
  const ciphertext = Buffer.concat([cipher.update(body), cipher.update(padding), cipher.final()]);
  return Buffer.concat([MAGIC, nonce, ciphertext, cipher.getAuthTag()]);
}

/** Opens a token; anything that is not an intact token of this emulator is InvalidImportTokenException. */
export function openImportToken(tokenKey: Buffer, token: Buffer): ImportTokenPayload {
  if (token.length < MAGIC.length + NONCE_BYTES + TAG_BYTES + 4 || !token.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw kms.invalidImportToken();
  }
  const nonce = token.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES);
  const ciphertext = token.subarray(MAGIC.length + NONCE_BYTES, token.length - TAG_BYTES);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", tokenKey, nonce);
    decipher.setAAD(MAGIC);
    decipher.setAuthTag(token.subarray(token.length - TAG_BYTES));
    plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw kms.invalidImportToken();
  }
  const headerLength = plaintext.readUInt16BE(0);
  const header = JSON.parse(plaintext.subarray(2, 2 + headerLength).toString("utf8")) as {
    k: string;
    a: SupportedWrappingAlgorithm;
    s: RsaWrappingKeySpec;
    v: number;
  };
  const keyLength = plaintext.readUInt16BE(2 + headerLength);
  const keyStart = 4 + headerLength;
  return {
    keyArn: header.k,
    algorithm: header.a,
    wrappingKeySpec: header.s,
    validTo: header.v,
    privateKeyDer: plaintext.subarray(keyStart, keyStart + keyLength),
  };
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}
