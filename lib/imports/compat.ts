/**
 * Which wrapping (algorithm × wrapping key spec) fits which KMS key, and how large the custodian's
 * EncryptedKeyMaterial.bin must be, as pure functions: the rules and AWS's documentation are in
 * lib/imports/README.md, "Which wrapping fits which key material".
 *
 * Pure (no server-only): the start-import form offers exactly what `wrappingOptions` allows, with the reason
 * beside each refused combination, and the upload form pre-checks the size in the browser; the server checks
 * both again.
 */

export const KEY_SPECS = [
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
export type KeySpec = (typeof KEY_SPECS)[number];

export const WRAPPING_ALGORITHMS = [
  "RSAES_OAEP_SHA_256",
  "RSAES_OAEP_SHA_1",
  "RSA_AES_KEY_WRAP_SHA_256",
  "RSA_AES_KEY_WRAP_SHA_1",
  "SM2PKE",
  "RSAES_PKCS1_V1_5",
] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];

export const WRAPPING_KEY_SPECS = ["RSA_4096", "RSA_3072", "RSA_2048", "SM2"] as const;
export type WrappingKeySpec = (typeof WRAPPING_KEY_SPECS)[number];

export type KeyFamily = "SYMMETRIC" | "HMAC" | "RSA" | "ECC";

export function isKeySpec(value: string | null | undefined): value is KeySpec {
  return typeof value === "string" && (KEY_SPECS as readonly string[]).includes(value);
}

export function familyOf(spec: KeySpec): KeyFamily {
  if (spec === "SYMMETRIC_DEFAULT") return "SYMMETRIC";
  if (spec.startsWith("HMAC_")) return "HMAC";
  if (spec.startsWith("RSA_")) return "RSA";
  return "ECC";
}

export function isChinaRegion(region: string): boolean {
  return region.startsWith("cn-");
}

/** Modulus length in bytes of an RSA wrapping key (= the length of an RSA-OAEP ciphertext under it). */
export function modulusBytes(spec: Exclude<WrappingKeySpec, "SM2">): number {
  return Number(spec.slice("RSA_".length)) / 8;
}

export function oaepHashOf(algorithm: WrappingAlgorithm): "sha1" | "sha256" {
  return algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
}

/** Largest plaintext RSA-OAEP carries: k − 2·hLen − 2 (RSA_2048: 190 with SHA-256, 214 with SHA-1). */
export function oaepCapacity(spec: Exclude<WrappingKeySpec, "SM2">, hash: "sha1" | "sha256"): number {
  return modulusBytes(spec) - 2 * (hash === "sha1" ? 20 : 32) - 2;
}

/**
 * What the plaintext key material of a spec looks like. Symmetric and HMAC material has one size (the
 * digest length for HMAC, which KMS accepts); PKCS#8 private keys vary by a few bytes with the
 * DER integer encodings and with whether the curve parameters and public key are included, so they get a
 * plausible range. `largest` is the largest encoding openssl produces (with parameters and public key):
 * what decides whether RSA-OAEP can carry it.
 */
export type MaterialSize = { kind: "exact"; bytes: number } | { kind: "range"; min: number; max: number; largest: number };

const PKCS8_RANGES: Record<Exclude<KeySpec, "SYMMETRIC_DEFAULT" | `HMAC_${string}`>, { min: number; max: number; largest: number }> = {
  // openssl genpkey gives 1190–1192 / 1765–1769 / 2348–2349 bytes; other encoders add or drop a few.
  RSA_2048: { min: 1150, max: 1240, largest: 1219 },
  RSA_3072: { min: 1720, max: 1810, largest: 1795 },
  RSA_4096: { min: 2300, max: 2390, largest: 2377 },
  // Without public key and parameters up to the form with both (openssl ecparam | pkcs8 -topk8).
  ECC_NIST_P256: { min: 60, max: 160, largest: 138 },
  ECC_NIST_P384: { min: 70, max: 210, largest: 185 },
  ECC_NIST_P521: { min: 90, max: 270, largest: 241 },
  ECC_SECG_P256K1: { min: 60, max: 160, largest: 135 },
};

export function materialSize(spec: KeySpec, region: string): MaterialSize {
  if (spec === "SYMMETRIC_DEFAULT") return { kind: "exact", bytes: isChinaRegion(region) ? 16 : 32 };
  if (spec.startsWith("HMAC_")) return { kind: "exact", bytes: Number(spec.slice("HMAC_".length)) / 8 };
  const range = PKCS8_RANGES[spec as keyof typeof PKCS8_RANGES];
  return { kind: "range", ...range };
}

function materialLabel(spec: KeySpec): string {
  switch (familyOf(spec)) {
    case "SYMMETRIC":
      return "symmetric key material";
    case "HMAC":
      return `${spec} key material`;
    case "RSA":
      return `an ${spec} private key (PKCS#8 DER)`;
    case "ECC":
      return `an ${spec} private key (PKCS#8 DER)`;
  }
}

export type WrappingCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether KMS accepts `algorithm` with `wrappingKeySpec` for a key of `keySpec` in `region`, and if not,
 * why — in a sentence a custodian can act on.
 */
export function checkWrapping(keySpec: KeySpec, region: string, algorithm: WrappingAlgorithm, wrappingKeySpec: WrappingKeySpec): WrappingCheck {
  const china = isChinaRegion(region);
  if (algorithm === "RSAES_PKCS1_V1_5") {
    return { ok: false, reason: "AWS KMS stopped accepting RSAES_PKCS1_V1_5 for imports on 10 October 2023; use RSA-OAEP or RSA_AES_KEY_WRAP." };
  }
  if (algorithm === "SM2PKE" || wrappingKeySpec === "SM2") {
    if (!china) return { ok: false, reason: "SM2 wrapping (the SM2 key spec with SM2PKE) exists only in the China Regions (cn-north-1, cn-northwest-1)." };
    if (algorithm !== "SM2PKE") return { ok: false, reason: `${algorithm} needs an RSA wrapping key; an SM2 wrapping key goes with SM2PKE.` };
    if (wrappingKeySpec !== "SM2") return { ok: false, reason: "SM2PKE wraps with an SM2 key; choose the SM2 wrapping key spec." };
    if (familyOf(keySpec) === "RSA") {
      // UNCONFIRMED: KMS documents RSA_AES_KEY_WRAP as the only wrapping for RSA private keys.
      return { ok: false, reason: `${keySpec} private keys can be wrapped only with RSA_AES_KEY_WRAP, which KMS does not offer in China Regions.` };
    }
    return { ok: true };
  }
  // From here: an RSA algorithm with an RSA wrapping key.
  if (algorithm.startsWith("RSA_AES_KEY_WRAP")) {
    if (china) return { ok: false, reason: `${algorithm} is not offered in the China Regions; use RSAES_OAEP_SHA_256 or SM2PKE.` };
    return { ok: true };
  }
  // RSA-OAEP wraps the material directly, so it must fit in one OAEP block.
  const hash = oaepHashOf(algorithm);
  const capacity = oaepCapacity(wrappingKeySpec, hash);
  const size = materialSize(keySpec, region);
  const largest = size.kind === "exact" ? size.bytes : size.largest;
  if (largest > capacity) {
    if (familyOf(keySpec) === "RSA") {
      return {
        ok: false,
        reason: `${materialLabel(keySpec)} is about ${largest.toLocaleString("en")} bytes, far more than RSA-OAEP carries (${capacity} bytes with ${wrappingKeySpec}); RSA keys need RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1.`,
      };
    }
    return {
      ok: false,
      reason: `${materialLabel(keySpec)} can be up to ${largest} bytes, more than the ${capacity} bytes ${algorithm} carries with an ${wrappingKeySpec} wrapping key; choose a larger wrapping key or RSA_AES_KEY_WRAP.`,
    };
  }
  return { ok: true };
}

export type WrappingOption = { algorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec } & WrappingCheck;

/** Every algorithm × wrapping key spec, each allowed or refused with its reason, in display order. */
export function wrappingOptions(keySpec: KeySpec, region: string): WrappingOption[] {
  return WRAPPING_ALGORITHMS.flatMap((algorithm) =>
    WRAPPING_KEY_SPECS.map((wrappingKeySpec) => ({ algorithm, wrappingKeySpec, ...checkWrapping(keySpec, region, algorithm, wrappingKeySpec) })),
  );
}

/**
 * The default: RSA_AES_KEY_WRAP_SHA_256 + RSA_4096 for RSA keys, RSAES_OAEP_SHA_256 + RSA_4096 otherwise
 * (SM2PKE + SM2 in China Regions, where neither RSA_AES nor — for RSA keys — any wrapping is offered).
 */
export function defaultWrapping(keySpec: KeySpec, region: string): { algorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec } | null {
  const preferred: Array<{ algorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec }> =
    familyOf(keySpec) === "RSA"
      ? [{ algorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_4096" }]
      : [
          { algorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_4096" },
          { algorithm: "SM2PKE", wrappingKeySpec: "SM2" },
        ];
  return preferred.find((p) => checkWrapping(keySpec, region, p.algorithm, p.wrappingKeySpec).ok) ?? null;
}

/** RFC 5649 (AES key wrap with padding): the material padded to a multiple of 8, plus the 8-byte block. */
export function kwpWrappedLength(materialBytes: number): number {
  return Math.ceil(materialBytes / 8) * 8 + 8;
}

export type BlobSize = { kind: "exact"; bytes: number } | { kind: "range"; min: number; max: number; multipleOf8After?: number };

/**
 * How large EncryptedKeyMaterial.bin must be:
 * - RSA-OAEP: exactly the modulus length (256 / 384 / 512 bytes);
 * - RSA_AES_KEY_WRAP: modulus length + RFC 5649 wrapped material — exact for fixed-size material
 *   (symmetric, HMAC), a range for PKCS#8 private keys (whose wrapped part is always a multiple of 8);
 * - SM2PKE: the material plus the SM2 overhead (C1 ‖ C3 ‖ C2, ~97 bytes raw or ~107–116 in DER).
 */
export function expectedBlobSize(keySpec: KeySpec, region: string, algorithm: WrappingAlgorithm, wrappingKeySpec: WrappingKeySpec): BlobSize {
  const material = materialSize(keySpec, region);
  if (algorithm === "SM2PKE" || wrappingKeySpec === "SM2") {
    // UNCONFIRMED (no SM2 source): accept both the raw C1C3C2 and the DER encodings.
    const min = material.kind === "exact" ? material.bytes : material.min;
    const max = material.kind === "exact" ? material.bytes : material.max;
    return { kind: "range", min: min + 96, max: max + 120 };
  }
  const modulus = modulusBytes(wrappingKeySpec);
  if (algorithm.startsWith("RSA_AES_KEY_WRAP")) {
    if (material.kind === "exact") return { kind: "exact", bytes: modulus + kwpWrappedLength(material.bytes) };
    return { kind: "range", min: modulus + kwpWrappedLength(material.min), max: modulus + kwpWrappedLength(material.max), multipleOf8After: modulus };
  }
  return { kind: "exact", bytes: modulus };
}

export function describeBlobSize(size: BlobSize): string {
  return size.kind === "exact"
    ? `exactly ${size.bytes.toLocaleString("en")} bytes`
    : `between ${size.min.toLocaleString("en")} and ${size.max.toLocaleString("en")} bytes`;
}

/**
 * Checks an uploaded blob's size against the wrapping choice; the refusal says what size was expected and
 * the usual cause.
 */
export function checkBlobSize(
  size: number,
  keySpec: KeySpec,
  region: string,
  algorithm: WrappingAlgorithm,
  wrappingKeySpec: WrappingKeySpec,
): WrappingCheck {
  if (!Number.isInteger(size) || size <= 0) return { ok: false, reason: "The file is empty. Upload EncryptedKeyMaterial.bin as your wrapping step wrote it." };
  const expected = expectedBlobSize(keySpec, region, algorithm, wrappingKeySpec);
  const got = `${size.toLocaleString("en")} byte${size === 1 ? "" : "s"}`;
  if (expected.kind === "exact") {
    if (size === expected.bytes) return { ok: true };
    const hint = algorithm.startsWith("RSA_AES_KEY_WRAP")
      ? `the RSA-encrypted AES key (${modulusBytes(wrappingKeySpec as Exclude<WrappingKeySpec, "SM2">)} bytes) followed by the AES-wrapped material (${kwpWrappedLength((materialSize(keySpec, region) as { bytes: number }).bytes)} bytes)`
      : algorithm === "SM2PKE"
        ? "an SM2 ciphertext of the material"
        : `one RSA-OAEP block, as long as the ${wrappingKeySpec} modulus`;
    return {
      ok: false,
      reason: `This file is ${got}; with ${algorithm} and ${wrappingKeySpec} it must be ${describeBlobSize(expected)}: ${hint}. Was it wrapped with this request's public key and algorithm?`,
    };
  }
  if (size < expected.min || size > expected.max) {
    return {
      ok: false,
      reason: `This file is ${got}; wrapped ${materialLabel(keySpec)} with ${algorithm} and ${wrappingKeySpec} is ${describeBlobSize(expected)}. Check that the material is an unencrypted PKCS#8 DER private key of the right type and that it was wrapped with this request's public key.`,
    };
  }
  if (expected.multipleOf8After !== undefined && (size - expected.multipleOf8After) % 8 !== 0) {
    return {
      ok: false,
      reason: `This file is ${got}; with ${algorithm} it must be the ${expected.multipleOf8After}-byte RSA block followed by AES-wrapped material in whole 8-byte blocks. The file looks truncated or has extra bytes.`,
    };
  }
  return { ok: true };
}

/** Whether `size` fits an expected blob size (the browser's pre-check; the server runs `checkBlobSize`). */
export function fitsBlobSize(size: number, expected: BlobSize): boolean {
  if (expected.kind === "exact") return size === expected.bytes;
  if (size < expected.min || size > expected.max) return false;
  return expected.multipleOf8After === undefined || (size - expected.multipleOf8After) % 8 === 0;
}
