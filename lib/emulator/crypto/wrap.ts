import { constants, createCipheriv, createDecipheriv, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from "node:crypto";
import { kms } from "../errors";

/**
 * The wrapping algorithms of GetParametersForImport, done with real cryptography so material wrapped by
 * openssl or an HSM unwraps here exactly as it would in KMS.
 */

export const WRAPPING_ALGORITHMS = [
  "RSAES_PKCS1_V1_5",
  "RSAES_OAEP_SHA_1",
  "RSAES_OAEP_SHA_256",
  "RSA_AES_KEY_WRAP_SHA_1",
  "RSA_AES_KEY_WRAP_SHA_256",
  "SM2PKE",
] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];
/** The algorithms the emulator can actually unwrap. */
export type SupportedWrappingAlgorithm = "RSAES_OAEP_SHA_1" | "RSAES_OAEP_SHA_256" | "RSA_AES_KEY_WRAP_SHA_1" | "RSA_AES_KEY_WRAP_SHA_256";

export const WRAPPING_KEY_SPECS = ["RSA_2048", "RSA_3072", "RSA_4096", "SM2"] as const;
export type WrappingKeySpec = (typeof WRAPPING_KEY_SPECS)[number];
export type RsaWrappingKeySpec = Exclude<WrappingKeySpec, "SM2">;

/** RFC 5649 fixed initial value, the `-iv A65959A6` of `openssl enc -id-aes256-wrap-pad`. */
const KWP_IV = Buffer.from("A65959A6", "hex");

export function oaepHashOf(algorithm: SupportedWrappingAlgorithm): "sha1" | "sha256" {
  return algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
}

export function isRsaAesKeyWrap(algorithm: SupportedWrappingAlgorithm): boolean {
  return algorithm.startsWith("RSA_AES_KEY_WRAP");
}

/** Largest plaintext RSA-OAEP can carry for a modulus and hash (k - 2·hLen - 2). */
export function oaepCapacity(wrappingKeySpec: RsaWrappingKeySpec, hash: "sha1" | "sha256"): number {
  const modulusBytes = Number(wrappingKeySpec.slice("RSA_".length)) / 8;
  const hashBytes = hash === "sha1" ? 20 : 32;
  return modulusBytes - 2 * hashBytes - 2;
}

/**
 * Recovers key material from `EncryptedKeyMaterial`. Any failure is InvalidCiphertextException, as KMS
 * reports it when the blob does not decrypt under the token's wrapping key and algorithm.
 */
export function unwrapKeyMaterial(
  algorithm: SupportedWrappingAlgorithm,
  privateKey: KeyObject,
  encrypted: Buffer,
): Buffer {
  const hash = oaepHashOf(algorithm);
  const modulusBytes = Number(privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  try {
    if (!isRsaAesKeyWrap(algorithm)) {
      if (encrypted.length !== modulusBytes) throw new Error("length is not the modulus length");
      return rsaOaepDecrypt(privateKey, hash, encrypted);
    }
    // RSA ciphertext of the ephemeral AES key (modulus length) followed by the RFC 5649 wrapped material.
    if (encrypted.length <= modulusBytes + 8) throw new Error("too short for RSA_AES_KEY_WRAP");
    const aesKey = rsaOaepDecrypt(privateKey, hash, encrypted.subarray(0, modulusBytes));
    if (aesKey.length !== 32) throw new Error("the wrapped AES key is not 256 bits");
    const decipher = createDecipheriv("id-aes256-wrap-pad", aesKey, KWP_IV);
    return Buffer.concat([decipher.update(encrypted.subarray(modulusBytes)), decipher.final()]);
  } catch {
    throw kms.invalidCiphertext(
      "The EncryptedKeyMaterial could not be decrypted with the wrapping key and algorithm of the import token.",
    );
  }
}

function rsaOaepDecrypt(privateKey: KeyObject, hash: "sha1" | "sha256", data: Buffer): Buffer {
  // Node sets the MGF1 hash to the OAEP hash, which is what KMS expects for both SHA-1 and SHA-256.
  return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
}

/**
 * The custodian's side, for benchmarks and tests that do not exercise openssl: wraps material exactly as
 * the KMS documentation describes.
 */
export function wrapKeyMaterial(
  algorithm: SupportedWrappingAlgorithm,
  publicKey: KeyObject,
  material: Buffer,
): Buffer {
  const hash = oaepHashOf(algorithm);
  const oaep = (data: Buffer) => publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
  if (!isRsaAesKeyWrap(algorithm)) return oaep(material);
  const aesKey = randomBytes(32);
  const cipher = createCipheriv("id-aes256-wrap-pad", aesKey, KWP_IV);
  return Buffer.concat([oaep(aesKey), cipher.update(material), cipher.final()]);
}
