import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign,
  timingSafeEqual,
  verify,
  createPublicKey,
} from "node:crypto";
import { privateKeyOf, publicKeyDerOf } from "../crypto/material";
import { KmsError, kms } from "../errors";
import { materialScopeOf } from "../ids";
import type { KeyRecord, MaterialRecord } from "../state";
import type { KmsContext, KmsOperation } from "./context";
import {
  keyIdField,
  optionalBoolean,
  optionalEnum,
  optionalString,
  optionalStringMap,
  requiredBlob,
  requiredEnum,
  type KmsInput,
} from "./input";
import { algorithmsFor, familyOf, macAlgorithmFor } from "./key-specs";
import { assertUsableFor } from "./key-state";
import { currentMaterial } from "./lifecycle";
import { resolveKey } from "./resolve";

/**
 * The operations that prove which material a key holds: Encrypt/Decrypt, GenerateMac/VerifyMac,
 * GetPublicKey/Sign/Verify — real cryptography with the key's material, so results can be checked
 * independently (openssl) against the material the custodian wrapped.
 */

const ENCRYPTION_ALGORITHMS = ["SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"] as const;
const MAC_ALGORITHMS = ["HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"] as const;
const SIGNING_ALGORITHMS = [
  "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256",
  "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512", "ECDSA_SHA_256", "ECDSA_SHA_384", "ECDSA_SHA_512",
  "SM2DSA", "ML_DSA_SHAKE_256", "ED25519_SHA_512", "ED25519_PH_SHA_512",
] as const;
const MESSAGE_TYPES = ["RAW", "DIGEST", "EXTERNAL_MU"] as const;

/** Symmetric ciphertext: magic ‖ key id (36 ASCII) ‖ material id (32) ‖ nonce (12) ‖ tag (16) ‖ data. */
const CIPHERTEXT_MAGIC = Buffer.from("KPC1");
const KEY_ID_BYTES = 36;
const HEADER_BYTES = CIPHERTEXT_MAGIC.length + KEY_ID_BYTES + 32 + 12 + 16;

function materialBytes(material: MaterialRecord | undefined, key: KeyRecord): Buffer {
  if (!material?.bytes) throw kms.invalidState(`${key.arn} is pending import.`);
  return Buffer.from(material.bytes, "base64");
}

function assertNotDryRun(input: KmsInput): void {
  if (optionalBoolean(input, "DryRun")) {
    throw new KmsError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
  }
}

/** Binds a ciphertext to its key and encryption context (order-independent, as in KMS). */
function additionalData(key: KeyRecord, context: Record<string, string> | undefined): Buffer {
  const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(`${materialScopeOf(key)}\n${JSON.stringify(entries)}`);
}

function aesAlgorithm(material: Buffer): "aes-256-gcm" | "aes-128-gcm" {
  return material.length === 16 ? "aes-128-gcm" : "aes-256-gcm";
}

function encrypt(ctx: KmsContext, input: KmsInput) {
  const key = resolveKey(ctx, keyIdField(input), { allowAlias: true });
  const plaintext = requiredBlob(input, "Plaintext", 4096);
  const context = optionalStringMap(input, "EncryptionContext");
  const algorithm = optionalEnum(input, "EncryptionAlgorithm", ENCRYPTION_ALGORITHMS) ?? "SYMMETRIC_DEFAULT";
  assertUsableFor(key, "ENCRYPT_DECRYPT", ctx.operation);
  assertEncryptionAlgorithm(key, algorithm);
  assertNotDryRun(input);

  if (familyOf(key.keySpec) === "RSA") {
    if (context) throw kms.validation("EncryptionContext is not supported with asymmetric KMS keys.");
    assertRsaPlaintextFits(key, algorithm, plaintext);
    const ciphertext = publicEncrypt(
      { key: createPublicKey(privateKeyOf(materialBytes(currentMaterial(key), key))), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) },
      plaintext,
    );
    return { CiphertextBlob: ciphertext.toString("base64"), KeyId: key.arn, EncryptionAlgorithm: algorithm };
  }
  const material = currentMaterial(key) as MaterialRecord;
  const secret = materialBytes(material, key);
  const nonce = randomBytes(12);
  const cipher = createCipheriv(aesAlgorithm(secret), secret, nonce);
  cipher.setAAD(additionalData(key, context));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const blob = Buffer.concat([
    CIPHERTEXT_MAGIC,
    Buffer.from(key.keyId, "ascii"),
    Buffer.from(material.id, "hex"),
    nonce,
    cipher.getAuthTag(),
    data,
  ]);
  return { CiphertextBlob: blob.toString("base64"), KeyId: key.arn, EncryptionAlgorithm: algorithm };
}

function assertEncryptionAlgorithm(key: KeyRecord, algorithm: string): void {
  const allowed = algorithmsFor(key.keySpec, key.keyUsage).EncryptionAlgorithms ?? [];
  if (!allowed.includes(algorithm)) {
    throw kms.invalidKeyUsage(`${key.arn} does not support the encryption algorithm ${algorithm}.`);
  }
}

/**
 * RSAES-OAEP carries at most modulus − 2·hash − 2 bytes (214 for RSA_2048 with SHA-1, 190 with SHA-256);
 * AWS refuses more as a ValidationException naming the limit.
 */
function assertRsaPlaintextFits(key: KeyRecord, algorithm: string, plaintext: Buffer): void {
  const modulusBytes = Number(key.keySpec.slice("RSA_".length)) / 8;
  const hashBytes = oaepHash(algorithm) === "sha1" ? 20 : 32;
  const limit = modulusBytes - 2 * hashBytes - 2;
  if (plaintext.length > limit) {
    throw kms.validation(`Algorithm ${algorithm} and key spec ${key.keySpec} cannot encrypt data larger than ${limit} bytes.`);
  }
}

function oaepHash(algorithm: string): "sha1" | "sha256" {
  return algorithm === "RSAES_OAEP_SHA_1" ? "sha1" : "sha256";
}

function decrypt(ctx: KmsContext, input: KmsInput) {
  const blob = requiredBlob(input, "CiphertextBlob", 6144);
  const keyIdValue = optionalString(input, "KeyId", { min: 1, max: 2048 });
  const context = optionalStringMap(input, "EncryptionContext");
  const algorithm = optionalEnum(input, "EncryptionAlgorithm", ENCRYPTION_ALGORITHMS) ?? "SYMMETRIC_DEFAULT";

  if (algorithm !== "SYMMETRIC_DEFAULT") {
    if (keyIdValue === undefined) throw kms.validation("KeyId is required to decrypt with an asymmetric KMS key.");
    const key = resolveKey(ctx, keyIdValue, { allowAlias: true });
    assertUsableFor(key, "ENCRYPT_DECRYPT", ctx.operation);
    assertEncryptionAlgorithm(key, algorithm);
    assertNotDryRun(input);
    let plaintext: Buffer;
    try {
      const privateKey = privateKeyOf(materialBytes(currentMaterial(key), key));
      plaintext = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(algorithm) }, blob);
    } catch {
      throw kms.invalidCiphertext();
    }
    return { KeyId: key.arn, Plaintext: plaintext.toString("base64"), EncryptionAlgorithm: algorithm };
  }

  if (blob.length < HEADER_BYTES || !blob.subarray(0, CIPHERTEXT_MAGIC.length).equals(CIPHERTEXT_MAGIC)) {
    throw kms.invalidCiphertext();
  }
  let offset = CIPHERTEXT_MAGIC.length;
  const embeddedKeyId = blob.subarray(offset, (offset += KEY_ID_BYTES)).toString("ascii");
  const materialId = blob.subarray(offset, (offset += 32)).toString("hex");
  const nonce = blob.subarray(offset, (offset += 12));
  const tag = blob.subarray(offset, (offset += 16));
  const data = blob.subarray(offset);

  const key = resolveKey(ctx, keyIdValue ?? embeddedKeyId, { allowAlias: true });
  if (key.keyId !== embeddedKeyId) throw kms.incorrectKey();
  assertUsableFor(key, "ENCRYPT_DECRYPT", ctx.operation);
  assertEncryptionAlgorithm(key, algorithm);
  assertNotDryRun(input);
  // Decrypt finds the generation that encrypted the data by its id, so older ciphertexts still decrypt
  // after a rotation.
  const material = key.materials.find((m) => m.id === materialId && m.bytes !== undefined);
  if (!material) throw kms.invalidCiphertext();
  const secret = materialBytes(material, key);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv(aesAlgorithm(secret), secret, nonce);
    decipher.setAAD(additionalData(key, context));
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw kms.invalidCiphertext();
  }
  return { KeyId: key.arn, Plaintext: plaintext.toString("base64"), EncryptionAlgorithm: algorithm, KeyMaterialId: material.id };
}

function macOf(ctx: KmsContext, input: KmsInput) {
  const key = resolveKey(ctx, keyIdField(input), { allowAlias: true });
  const message = requiredBlob(input, "Message", 4096);
  const algorithm = requiredEnum(input, "MacAlgorithm", MAC_ALGORITHMS);
  assertUsableFor(key, "GENERATE_VERIFY_MAC", ctx.operation);
  if (macAlgorithmFor(key.keySpec) !== algorithm) {
    throw kms.invalidKeyUsage(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  }
  assertNotDryRun(input);
  const digest = algorithm.slice("HMAC_".length).replace("_", "").toLowerCase();
  const mac = createHmac(digest, materialBytes(currentMaterial(key), key)).update(message).digest();
  return { key, mac, algorithm };
}

function generateMac(ctx: KmsContext, input: KmsInput) {
  const { key, mac, algorithm } = macOf(ctx, input);
  return { Mac: mac.toString("base64"), MacAlgorithm: algorithm, KeyId: key.arn };
}

function verifyMac(ctx: KmsContext, input: KmsInput) {
  const given = requiredBlob(input, "Mac", 6144);
  const { key, mac, algorithm } = macOf(ctx, input);
  if (given.length !== mac.length || !timingSafeEqual(given, mac)) {
    // AWS answers a MAC that does not verify with the bare exception, no message.
    throw new KmsError("KMSInvalidMacException", "");
  }
  return { KeyId: key.arn, MacValid: true, MacAlgorithm: algorithm };
}

function asymmetricKey(ctx: KmsContext, input: KmsInput): KeyRecord {
  const key = resolveKey(ctx, keyIdField(input), { allowAlias: true });
  const family = familyOf(key.keySpec);
  if (family !== "RSA" && family !== "ECC") {
    throw kms.unsupported(`${key.arn} has key spec ${key.keySpec}; this operation needs an asymmetric KMS key.`);
  }
  return key;
}

function getPublicKey(ctx: KmsContext, input: KmsInput) {
  const key = asymmetricKey(ctx, input);
  assertUsableFor(key, key.keyUsage, ctx.operation);
  const material = materialBytes(currentMaterial(key), key);
  return {
    KeyId: key.arn,
    PublicKey: publicKeyDerOf(material).toString("base64"),
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    ...algorithmsFor(key.keySpec, key.keyUsage),
  };
}

interface SigningRequest {
  key: KeyRecord;
  message: Buffer;
  algorithm: string;
  digest: string;
  options: { padding?: number; saltLength?: number };
}

function signingRequest(ctx: KmsContext, input: KmsInput): SigningRequest {
  // The key's usage is judged first: AWS refuses Sign with an HMAC key for its usage, not its key spec.
  const key = resolveKey(ctx, keyIdField(input), { allowAlias: true });
  const message = requiredBlob(input, "Message", 4096);
  const messageType = optionalEnum(input, "MessageType", MESSAGE_TYPES) ?? "RAW";
  const algorithm = requiredEnum(input, "SigningAlgorithm", SIGNING_ALGORITHMS);
  assertUsableFor(key, "SIGN_VERIFY", ctx.operation);
  if (!(algorithmsFor(key.keySpec, key.keyUsage).SigningAlgorithms ?? []).includes(algorithm)) {
    throw kms.invalidKeyUsage(`${key.arn} does not support the signing algorithm ${algorithm}.`);
  }
  if (messageType !== "RAW") {
    // Node's crypto signs messages, not precomputed digests, for PSS and ECDSA.
    throw kms.unsupported(`The emulator supports MessageType RAW only, not ${messageType}.`);
  }
  assertNotDryRun(input);
  const digest = `sha${algorithm.slice(-3)}`;
  const options = algorithm.startsWith("RSASSA_PSS")
    ? // KMS uses a PSS salt as long as the digest.
      { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(algorithm.slice(-3)) / 8 }
    : algorithm.startsWith("RSASSA_PKCS1")
      ? { padding: constants.RSA_PKCS1_PADDING }
      : {};
  return { key, message, algorithm, digest, options };
}

function signMessage(ctx: KmsContext, input: KmsInput) {
  const { key, message, algorithm, digest, options } = signingRequest(ctx, input);
  const privateKey = privateKeyOf(materialBytes(currentMaterial(key), key));
  const signature = sign(digest, message, { key: privateKey, ...options });
  return { KeyId: key.arn, Signature: signature.toString("base64"), SigningAlgorithm: algorithm };
}

function verifyMessage(ctx: KmsContext, input: KmsInput) {
  const signature = requiredBlob(input, "Signature", 6144);
  const { key, message, algorithm, digest, options } = signingRequest(ctx, input);
  const publicKey = createPublicKey(privateKeyOf(materialBytes(currentMaterial(key), key)));
  if (!verify(digest, message, { key: publicKey, ...options }, signature)) {
    // AWS answers a signature that does not verify with the bare exception, no message.
    throw new KmsError("KMSInvalidSignatureException", "");
  }
  return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: algorithm };
}

export const cryptoOperations: Record<string, KmsOperation> = {
  Encrypt: { handler: encrypt, mutates: false },
  Decrypt: { handler: decrypt, mutates: false },
  GenerateMac: { handler: generateMac, mutates: false },
  VerifyMac: { handler: verifyMac, mutates: false },
  GetPublicKey: { handler: getPublicKey, mutates: false },
  Sign: { handler: signMessage, mutates: false },
  Verify: { handler: verifyMessage, mutates: false },
};
