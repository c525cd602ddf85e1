import { describe, expect, it } from "vitest";
import {
  KEY_SPECS,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
  checkBlobSize,
  checkWrapping,
  defaultWrapping,
  expectedBlobSize,
  kwpWrappedLength,
  oaepCapacity,
  wrappingOptions,
  type KeySpec,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from "./compat";

/**
 * The compatibility table of lib/imports/README.md ("Which wrapping fits which key material"), restated here as explicit expectations (not recomputed the
 * way compat.ts computes it), and checked for every key spec × algorithm × wrapping key spec, in a
 * commercial Region and in a China Region.
 */

const RSA_KEYS: KeySpec[] = ["RSA_2048", "RSA_3072", "RSA_4096"];
const RSA_WRAPPING: WrappingKeySpec[] = ["RSA_2048", "RSA_3072", "RSA_4096"];
const OAEP: WrappingAlgorithm[] = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];
const RSA_AES: WrappingAlgorithm[] = ["RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"];

/** The reference table: which combinations KMS accepts outside China. */
function acceptedOutsideChina(key: KeySpec, algorithm: WrappingAlgorithm, wrapping: WrappingKeySpec): boolean {
  if (algorithm === "RSAES_PKCS1_V1_5" || algorithm === "SM2PKE" || wrapping === "SM2") return false;
  if (RSA_AES.includes(algorithm)) return true; // required for RSA; allowed for everything else
  // RSA-OAEP:
  if (RSA_KEYS.includes(key)) return false;
  if (key === "ECC_NIST_P521" && wrapping === "RSA_2048") return false;
  return true;
}

/** In China Regions: no RSA_AES; SM2PKE only with SM2 (and never for RSA private keys); OAEP as elsewhere. */
function acceptedInChina(key: KeySpec, algorithm: WrappingAlgorithm, wrapping: WrappingKeySpec): boolean {
  if (algorithm === "RSAES_PKCS1_V1_5" || RSA_AES.includes(algorithm)) return false;
  if (algorithm === "SM2PKE" || wrapping === "SM2") return algorithm === "SM2PKE" && wrapping === "SM2" && !RSA_KEYS.includes(key);
  if (RSA_KEYS.includes(key)) return false;
  if (key === "ECC_NIST_P521" && wrapping === "RSA_2048") return false;
  return true;
}

const combinations = KEY_SPECS.flatMap((key) => WRAPPING_ALGORITHMS.flatMap((algorithm) => WRAPPING_KEY_SPECS.map((wrapping) => [key, algorithm, wrapping] as const)));

describe("checkWrapping", () => {
  it("covers every combination (12 key specs × 6 algorithms × 4 wrapping key specs)", () => {
    expect(combinations).toHaveLength(12 * 6 * 4);
  });

  it.each(combinations)("%s with %s and %s in eu-west-1", (key, algorithm, wrapping) => {
    const result = checkWrapping(key, "eu-west-1", algorithm, wrapping);
    expect(result.ok).toBe(acceptedOutsideChina(key, algorithm, wrapping));
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(30);
  });

  it.each(combinations)("%s with %s and %s in cn-north-1", (key, algorithm, wrapping) => {
    expect(checkWrapping(key, "cn-north-1", algorithm, wrapping).ok).toBe(acceptedInChina(key, algorithm, wrapping));
  });

  it("explains each kind of refusal", () => {
    const reason = (key: KeySpec, region: string, a: WrappingAlgorithm, w: WrappingKeySpec) => {
      const r = checkWrapping(key, region, a, w);
      return r.ok ? "" : r.reason;
    };
    expect(reason("SYMMETRIC_DEFAULT", "eu-west-1", "RSAES_PKCS1_V1_5", "RSA_2048")).toMatch(/stopped accepting RSAES_PKCS1_V1_5.*2023/);
    expect(reason("SYMMETRIC_DEFAULT", "eu-west-1", "SM2PKE", "SM2")).toMatch(/only in the China Regions/);
    expect(reason("SYMMETRIC_DEFAULT", "eu-west-1", "RSAES_OAEP_SHA_256", "SM2")).toMatch(/only in the China Regions/);
    expect(reason("SYMMETRIC_DEFAULT", "cn-north-1", "RSAES_OAEP_SHA_256", "SM2")).toMatch(/needs an RSA wrapping key/);
    expect(reason("SYMMETRIC_DEFAULT", "cn-north-1", "SM2PKE", "RSA_4096")).toMatch(/choose the SM2 wrapping key spec/);
    expect(reason("SYMMETRIC_DEFAULT", "cn-north-1", "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096")).toMatch(/not offered in the China Regions/);
    expect(reason("RSA_2048", "cn-north-1", "SM2PKE", "SM2")).toMatch(/only with RSA_AES_KEY_WRAP/);
    expect(reason("RSA_4096", "eu-west-1", "RSAES_OAEP_SHA_256", "RSA_4096")).toMatch(/RSA keys need RSA_AES_KEY_WRAP_SHA_256/);
    expect(reason("RSA_2048", "eu-west-1", "RSAES_OAEP_SHA_1", "RSA_2048")).toMatch(/214 bytes with RSA_2048/);
    expect(reason("ECC_NIST_P521", "eu-west-1", "RSAES_OAEP_SHA_256", "RSA_2048")).toMatch(/up to 241 bytes, more than the 190 bytes/);
    expect(reason("ECC_NIST_P521", "eu-west-1", "RSAES_OAEP_SHA_1", "RSA_2048")).toMatch(/214 bytes/);
  });

  it("knows the OAEP plaintext limits AWS documents", () => {
    expect([oaepCapacity("RSA_2048", "sha256"), oaepCapacity("RSA_2048", "sha1")]).toEqual([190, 214]);
    expect([oaepCapacity("RSA_3072", "sha256"), oaepCapacity("RSA_3072", "sha1")]).toEqual([318, 342]);
    expect([oaepCapacity("RSA_4096", "sha256"), oaepCapacity("RSA_4096", "sha1")]).toEqual([446, 470]);
  });
});

describe("wrappingOptions and defaultWrapping", () => {
  it("lists all 24 combinations for a key, each allowed or refused with a reason", () => {
    const options = wrappingOptions("ECC_NIST_P521", "eu-west-1");
    expect(options).toHaveLength(24);
    expect(options.filter((o) => o.ok).map((o) => `${o.algorithm}/${o.wrappingKeySpec}`)).toEqual([
      "RSAES_OAEP_SHA_256/RSA_4096",
      "RSAES_OAEP_SHA_256/RSA_3072",
      "RSAES_OAEP_SHA_1/RSA_4096",
      "RSAES_OAEP_SHA_1/RSA_3072",
      "RSA_AES_KEY_WRAP_SHA_256/RSA_4096",
      "RSA_AES_KEY_WRAP_SHA_256/RSA_3072",
      "RSA_AES_KEY_WRAP_SHA_256/RSA_2048",
      "RSA_AES_KEY_WRAP_SHA_1/RSA_4096",
      "RSA_AES_KEY_WRAP_SHA_1/RSA_3072",
      "RSA_AES_KEY_WRAP_SHA_1/RSA_2048",
    ]);
  });

  it.each(KEY_SPECS)("defaults %s to the documented choice", (key) => {
    const expected = RSA_KEYS.includes(key)
      ? { algorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_4096" }
      : { algorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_4096" };
    expect(defaultWrapping(key, "us-east-1")).toEqual(expected);
  });

  it("has no default for RSA keys in China Regions, and OAEP elsewhere there", () => {
    expect(defaultWrapping("RSA_3072", "cn-northwest-1")).toBeNull();
    expect(defaultWrapping("SYMMETRIC_DEFAULT", "cn-north-1")).toEqual({ algorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_4096" });
  });
});

describe("expectedBlobSize and checkBlobSize", () => {
  it("computes RFC 5649 wrapped lengths", () => {
    expect([1, 8, 9, 16, 28, 32, 48, 64].map(kwpWrappedLength)).toEqual([16, 16, 24, 24, 40, 40, 56, 72]);
  });

  it.each(RSA_WRAPPING.flatMap((w) => OAEP.map((a) => [a, w] as const)))("RSA-OAEP (%s, %s) is exactly the modulus length", (algorithm, wrapping) => {
    const modulus = { RSA_2048: 256, RSA_3072: 384, RSA_4096: 512 }[wrapping as "RSA_2048"];
    for (const key of ["SYMMETRIC_DEFAULT", "HMAC_512", "ECC_NIST_P256"] as const) {
      expect(expectedBlobSize(key, "eu-west-1", algorithm, wrapping)).toEqual({ kind: "exact", bytes: modulus });
    }
  });

  it("makes RSA_AES blobs modulus + wrapped material, exactly for fixed-size material", () => {
    const exact = (key: KeySpec, w: WrappingKeySpec) => expectedBlobSize(key, "eu-west-1", "RSA_AES_KEY_WRAP_SHA_256", w);
    expect(exact("SYMMETRIC_DEFAULT", "RSA_4096")).toEqual({ kind: "exact", bytes: 512 + 40 });
    expect(exact("SYMMETRIC_DEFAULT", "RSA_2048")).toEqual({ kind: "exact", bytes: 256 + 40 });
    expect(exact("HMAC_224", "RSA_3072")).toEqual({ kind: "exact", bytes: 384 + 40 });
    expect(exact("HMAC_256", "RSA_3072")).toEqual({ kind: "exact", bytes: 384 + 40 });
    expect(exact("HMAC_384", "RSA_3072")).toEqual({ kind: "exact", bytes: 384 + 56 });
    expect(exact("HMAC_512", "RSA_3072")).toEqual({ kind: "exact", bytes: 384 + 72 });
    // China Regions: 16-byte symmetric material.
    expect(expectedBlobSize("SYMMETRIC_DEFAULT", "cn-north-1", "RSAES_OAEP_SHA_256", "RSA_2048")).toEqual({ kind: "exact", bytes: 256 });
  });

  it("gives PKCS#8 material a plausible range, checked to whole 8-byte blocks", () => {
    const size = expectedBlobSize("RSA_2048", "eu-west-1", "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096");
    expect(size).toMatchObject({ kind: "range", multipleOf8After: 512 });
    if (size.kind !== "range") throw new Error("range expected");
    // openssl genpkey produces 1190–1192 bytes: 1200 wrapped.
    expect(checkBlobSize(512 + 1200, "RSA_2048", "eu-west-1", "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096")).toEqual({ ok: true });
    const odd = checkBlobSize(512 + 1201, "RSA_2048", "eu-west-1", "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096");
    expect(odd.ok ? "" : odd.reason).toMatch(/whole 8-byte blocks/);
    const small = checkBlobSize(512 + 200, "RSA_2048", "eu-west-1", "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096");
    expect(small.ok ? "" : small.reason).toMatch(/between 1,672 and 1,760 bytes.*PKCS#8/);
    // An ECC key wrapped with RSA_AES (P-256 with public key: 138 → 152 wrapped).
    expect(checkBlobSize(256 + 152, "ECC_NIST_P256", "eu-west-1", "RSA_AES_KEY_WRAP_SHA_1", "RSA_2048")).toEqual({ ok: true });
  });

  it("accepts exactly the right size and explains any other", () => {
    expect(checkBlobSize(512, "SYMMETRIC_DEFAULT", "eu-west-1", "RSAES_OAEP_SHA_256", "RSA_4096")).toEqual({ ok: true });
    const wrong = checkBlobSize(256, "SYMMETRIC_DEFAULT", "eu-west-1", "RSAES_OAEP_SHA_256", "RSA_4096");
    expect(wrong.ok ? "" : wrong.reason).toMatch(/256 bytes; with RSAES_OAEP_SHA_256 and RSA_4096 it must be exactly 512 bytes: one RSA-OAEP block/);
    const aes = checkBlobSize(512, "SYMMETRIC_DEFAULT", "eu-west-1", "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096");
    expect(aes.ok ? "" : aes.reason).toMatch(/exactly 552 bytes: the RSA-encrypted AES key \(512 bytes\) followed by the AES-wrapped material \(40 bytes\)/);
    const empty = checkBlobSize(0, "SYMMETRIC_DEFAULT", "eu-west-1", "RSAES_OAEP_SHA_256", "RSA_4096");
    expect(empty.ok ? "" : empty.reason).toMatch(/empty/);
  });
});
