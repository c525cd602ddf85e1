import { createECDH, createHmac, createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from "node:crypto";
import { kms } from "../errors";
import { isChinaRegion } from "../ids";
import { curveOf, familyOf, hmacLength, rsaModulusBits, type KeySpec } from "../kms/key-specs";

/**
 * Key material per key spec: what an import must contain, how to compare two imports, and how to make
 * material for AWS_KMS keys and seeds.
 */

export function symmetricLength(region: string): number {
  // China Regions use SM4, whose keys are 128 bits.
  return isChinaRegion(region) ? 16 : 32;
}

/**
 * Checks unwrapped material against the key spec and returns it in canonical form (asymmetric keys
 * re-encoded as PKCS#8 DER), or throws IncorrectKeyMaterialException.
 */
export function validateMaterial(spec: KeySpec, region: string, material: Buffer): Buffer {
  switch (familyOf(spec)) {
    case "SYMMETRIC": {
      const expected = symmetricLength(region);
      if (material.length !== expected) {
        throw kms.incorrectKeyMaterial(`Symmetric key material must be ${expected} bytes; got ${material.length}.`);
      }
      return material;
    }
    case "HMAC": {
      // AWS documents a length range per HMAC spec; the reference only confirms the digest length, so the
      // emulator (UNCONFIRMED → stricter) accepts exactly that.
      const expected = hmacLength(spec);
      if (material.length !== expected) {
        throw kms.incorrectKeyMaterial(`${spec} key material must be ${expected} bytes; got ${material.length}.`);
      }
      return material;
    }
    case "RSA":
    case "ECC":
      return validateAsymmetric(spec, material);
  }
}

function validateAsymmetric(spec: KeySpec, material: Buffer): Buffer {
  const key = parsePkcs8(material, spec);
  if (familyOf(spec) === "RSA") {
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (key.asymmetricKeyType !== "rsa" || bits !== rsaModulusBits(spec)) {
      throw kms.incorrectKeyMaterial(`The key material is not an RSA private key of ${rsaModulusBits(spec)} bits, as ${spec} requires.`);
    }
  } else if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== curveOf(spec)) {
    throw kms.incorrectKeyMaterial(`The key material is not an EC private key on the curve ${spec} requires.`);
  }
  return key.export({ format: "der", type: "pkcs8" });
}

function parsePkcs8(material: Buffer, spec: KeySpec): KeyObject {
  if (derLength(material) !== material.length) {
    throw kms.incorrectKeyMaterial(`${spec} key material must be an unencrypted PKCS#8 DER private key.`);
  }
  try {
    return createPrivateKey({ key: material, format: "der", type: "pkcs8" });
  } catch {
    throw kms.incorrectKeyMaterial(`${spec} key material must be an unencrypted PKCS#8 DER private key.`);
  }
}

/** Total length of the outer DER element, so trailing bytes after a valid key are refused. */
function derLength(der: Buffer): number {
  if (der.length < 2 || der[0] !== 0x30) return -1;
  const first = der[1] as number;
  if (first < 0x80) return 2 + first;
  const lengthBytes = first & 0x7f;
  if (lengthBytes < 1 || lengthBytes > 3 || der.length < 2 + lengthBytes) return -1;
  let length = 0;
  for (let i = 0; i < lengthBytes; i += 1) length = length * 256 + (der[2 + i] as number);
  return 2 + lengthBytes + length;
}

/** DER SubjectPublicKeyInfo of an asymmetric key's material. */
export function publicKeyDerOf(material: Buffer): Buffer {
  return createPublicKey(privateKeyOf(material)).export({ format: "der", type: "spki" });
}

const privateKeys = new Map<string, KeyObject>();

/** Parsed private key of PKCS#8 material, cached because Sign/GetPublicKey would otherwise reparse it. */
export function privateKeyOf(material: Buffer): KeyObject {
  const cacheKey = material.toString("base64");
  let key = privateKeys.get(cacheKey);
  if (!key) {
    if (privateKeys.size > 1000) privateKeys.clear();
    key = createPrivateKey({ key: material, format: "der", type: "pkcs8" });
    privateKeys.set(cacheKey, key);
  }
  return key;
}

/** Fresh random material for a key KMS generates itself (origin AWS_KMS). */
export async function generateMaterial(spec: KeySpec, region: string): Promise<Buffer> {
  switch (familyOf(spec)) {
    case "SYMMETRIC":
      return randomBytes(symmetricLength(region));
    case "HMAC":
      return randomBytes(hmacLength(spec));
    case "RSA":
      return new Promise((resolve, reject) =>
        generateKeyPair(
          "rsa",
          { modulusLength: rsaModulusBits(spec), privateKeyEncoding: { type: "pkcs8", format: "der" }, publicKeyEncoding: { type: "spki", format: "der" } },
          (error, _publicKey, privateKey) => (error ? reject(error) : resolve(privateKey)),
        ),
      );
    case "ECC":
      return deriveEcMaterial(spec, randomBytes(32).toString("hex"));
  }
}

/**
 * Deterministic material for seeds: the same label gives the same bytes on every start, so the demo's
 * imported keys can be reproduced offline. RSA keys cannot be derived this way and are generated.
 */
export async function deriveMaterial(spec: KeySpec, region: string, label: string): Promise<Buffer> {
  switch (familyOf(spec)) {
    case "SYMMETRIC":
      return expand(label, symmetricLength(region));
    case "HMAC":
      return expand(label, hmacLength(spec));
    case "RSA":
      return generateMaterial(spec, region);
    case "ECC":
      return deriveEcMaterial(spec, label);
  }
}

function expand(label: string, length: number): Buffer {
  const out: Buffer[] = [];
  for (let counter = 0; out.length * 32 < length; counter += 1) {
    out.push(createHmac("sha256", "keyport-emulator-material").update(`${label}:${counter}`).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

const CURVE_JWK: Record<string, { crv: string; bytes: number }> = {
  prime256v1: { crv: "P-256", bytes: 32 },
  secp384r1: { crv: "P-384", bytes: 48 },
  secp521r1: { crv: "P-521", bytes: 66 },
  secp256k1: { crv: "secp256k1", bytes: 32 },
};

function deriveEcMaterial(spec: KeySpec, label: string): Buffer {
  const curve = curveOf(spec);
  const { crv, bytes } = CURVE_JWK[curve] as { crv: string; bytes: number };
  const scalar = expand(`ec:${label}`, bytes);
  // Keep the scalar below the group order: P-521 scalars have 521 bits, the others clear the top bit.
  scalar[0] = curve === "secp521r1" ? (scalar[0] as number) & 0x01 : (scalar[0] as number) & 0x7f;
  const ecdh = createECDH(curve);
  ecdh.setPrivateKey(scalar);
  const point = ecdh.getPublicKey();
  const x = point.subarray(1, 1 + bytes);
  const y = point.subarray(1 + bytes);
  const key = createPrivateKey({
    key: { kty: "EC", crv, d: scalar.toString("base64url"), x: x.toString("base64url"), y: y.toString("base64url") },
    format: "jwk",
  });
  return key.export({ format: "der", type: "pkcs8" });
}

/**
 * KeyMaterialId: 64 lowercase hex characters. Derived from the key and the material (keyed by the
 * emulator secret, so it reveals nothing about the material) so reimporting the same bytes always lands on
 * the same id and a reimport can tell which generation it restores.
 */
export function materialIdOf(secret: Buffer, keyArn: string, material: Buffer): string {
  return createHmac("sha256", secret).update(keyArn).update("\n").update(material).digest("hex");
}
