/**
 * What KMS allows per key spec: usages, the algorithms DescribeKey lists, and which family a spec belongs
 * to (the family decides how key material is shaped and wrapped).
 */

export const SUPPORTED_KEY_SPECS = [
  "SYMMETRIC_DEFAULT",
  "HMAC_224",
  "HMAC_256",
  "HMAC_384",
  "HMAC_512",
  "RSA_2048",
  "RSA_3072",
  "RSA_4096",
  "ECC_NIST_P256",
  "ECC_NIST_P384",
  "ECC_NIST_P521",
  "ECC_SECG_P256K1",
] as const;
export type KeySpec = (typeof SUPPORTED_KEY_SPECS)[number];

/** Specs KMS has that the emulator does not model; CreateKey refuses them with a clear message. */
export const UNMODELLED_KEY_SPECS = ["SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519"];

export const KEY_USAGES = ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export type KeyFamily = "SYMMETRIC" | "HMAC" | "RSA" | "ECC";

export function familyOf(spec: KeySpec): KeyFamily {
  if (spec === "SYMMETRIC_DEFAULT") return "SYMMETRIC";
  if (spec.startsWith("HMAC_")) return "HMAC";
  if (spec.startsWith("RSA_")) return "RSA";
  return "ECC";
}

export function isSupportedKeySpec(value: string): value is KeySpec {
  return (SUPPORTED_KEY_SPECS as readonly string[]).includes(value);
}

const RSA_SIGNING = [
  "RSASSA_PSS_SHA_256",
  "RSASSA_PSS_SHA_384",
  "RSASSA_PSS_SHA_512",
  "RSASSA_PKCS1_V1_5_SHA_256",
  "RSASSA_PKCS1_V1_5_SHA_384",
  "RSASSA_PKCS1_V1_5_SHA_512",
];

export function allowedUsages(spec: KeySpec): KeyUsage[] {
  switch (familyOf(spec)) {
    case "SYMMETRIC":
      return ["ENCRYPT_DECRYPT"];
    case "HMAC":
      return ["GENERATE_VERIFY_MAC"];
    case "RSA":
      return ["ENCRYPT_DECRYPT", "SIGN_VERIFY"];
    case "ECC":
      return spec === "ECC_SECG_P256K1" ? ["SIGN_VERIFY"] : ["SIGN_VERIFY", "KEY_AGREEMENT"];
  }
}

export interface KeyAlgorithms {
  EncryptionAlgorithms?: string[];
  SigningAlgorithms?: string[];
  MacAlgorithms?: string[];
  KeyAgreementAlgorithms?: string[];
}

export function algorithmsFor(spec: KeySpec, usage: KeyUsage): KeyAlgorithms {
  if (usage === "GENERATE_VERIFY_MAC") return { MacAlgorithms: [macAlgorithmFor(spec)] };
  if (usage === "KEY_AGREEMENT") return { KeyAgreementAlgorithms: ["ECDH"] };
  if (usage === "ENCRYPT_DECRYPT") {
    return { EncryptionAlgorithms: spec === "SYMMETRIC_DEFAULT" ? ["SYMMETRIC_DEFAULT"] : ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] };
  }
  if (familyOf(spec) === "RSA") return { SigningAlgorithms: RSA_SIGNING };
  return { SigningAlgorithms: [ecdsaAlgorithmFor(spec)] };
}

export function macAlgorithmFor(spec: KeySpec): string {
  return `HMAC_SHA_${spec.slice("HMAC_".length)}`;
}

function ecdsaAlgorithmFor(spec: KeySpec): string {
  if (spec === "ECC_NIST_P384") return "ECDSA_SHA_384";
  if (spec === "ECC_NIST_P521") return "ECDSA_SHA_512";
  return "ECDSA_SHA_256";
}

/** HMAC digest length in bytes, which is also the material length the emulator accepts. */
export function hmacLength(spec: KeySpec): number {
  return Number(spec.slice("HMAC_".length)) / 8;
}

export function rsaModulusBits(spec: KeySpec): number {
  return Number(spec.slice("RSA_".length));
}

/** OpenSSL's name of the curve for an ECC key spec. */
export function curveOf(spec: KeySpec): string {
  switch (spec) {
    case "ECC_NIST_P256":
      return "prime256v1";
    case "ECC_NIST_P384":
      return "secp384r1";
    case "ECC_NIST_P521":
      return "secp521r1";
    case "ECC_SECG_P256K1":
      return "secp256k1";
    default:
      throw new Error(`${spec} is not an ECC key spec`);
  }
}
