import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KmsError } from "../errors";
import { deriveTokenKey, openImportToken, sealImportToken, type ImportTokenPayload } from "./import-token";
import { deriveMaterial, validateMaterial } from "./material";
import { unwrapKeyMaterial, wrapKeyMaterial } from "./wrap";
import { WrappingKeyPool } from "./wrapping-key-pool";

/** Unit tests of the emulator's cryptographic building blocks (the wire-level tests use openssl). */

function kmsErrorOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof KmsError ? error.type : String(error);
  }
}

describe("import tokens", () => {
  const rsa2048 = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "der", type: "pkcs8" });
  const payload = (privateKeyDer: Buffer): ImportTokenPayload => ({
    keyArn: "arn:aws:kms:eu-west-1:111111111111:key/1b2c3d4e-0000-4000-8000-000000000000",
    algorithm: "RSAES_OAEP_SHA_256",
    wrappingKeySpec: "RSA_2048",
    validTo: 1_900_000_000_000,
    privateKeyDer,
  });

  it("round-trips, with a constant size near real tokens (~2.6 KB)", () => {
    const key = deriveTokenKey(randomBytes(32));
    const token = sealImportToken(key, payload(rsa2048));
    expect(token.length).toBeGreaterThan(2500);
    expect(token.length).toBeLessThan(2700);
    const opened = openImportToken(key, token);
    expect(opened.keyArn).toBe(payload(rsa2048).keyArn);
    expect(opened.validTo).toBe(1_900_000_000_000);
    expect(opened.privateKeyDer.equals(rsa2048)).toBe(true);
    expect(sealImportToken(key, payload(rsa2048)).equals(token)).toBe(false);
  });

  it("cannot be altered or opened with another emulator's secret", () => {
    const key = deriveTokenKey(randomBytes(32));
    const token = sealImportToken(key, payload(rsa2048));
    for (const index of [10, 1000, token.length - 1]) {
      const tampered = Buffer.from(token);
      tampered[index] = (tampered[index] as number) ^ 0x80;
      expect(kmsErrorOf(() => openImportToken(key, tampered))).toBe("InvalidImportTokenException");
    }
    expect(kmsErrorOf(() => openImportToken(deriveTokenKey(randomBytes(32)), token))).toBe("InvalidImportTokenException");
  });
});

describe("wrapping", () => {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

  it.each(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"] as const)("%s unwraps what it wraps and nothing else", (algorithm) => {
    const material = randomBytes(61);
    expect(unwrapKeyMaterial(algorithm, privateKey, wrapKeyMaterial(algorithm, publicKey, material)).equals(material)).toBe(true);
    const other = algorithm.endsWith("SHA_1") ? algorithm.replace("SHA_1", "SHA_256") : algorithm.replace("SHA_256", "SHA_1");
    const wrapped = wrapKeyMaterial(other as typeof algorithm, publicKey, material);
    expect(kmsErrorOf(() => unwrapKeyMaterial(algorithm, privateKey, wrapped))).toBe("InvalidCiphertextException");
  });
});

describe("material", () => {
  it("derives seed material deterministically, valid for its spec", async () => {
    for (const spec of ["SYMMETRIC_DEFAULT", "HMAC_224", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1"] as const) {
      const first = await deriveMaterial(spec, "eu-west-1", "label");
      expect((await deriveMaterial(spec, "eu-west-1", "label")).equals(first)).toBe(true);
      expect((await deriveMaterial(spec, "eu-west-1", "other")).equals(first)).toBe(false);
      expect(validateMaterial(spec, "eu-west-1", first).length).toBeGreaterThan(0);
    }
    const p521 = await deriveMaterial("ECC_NIST_P521", "eu-west-1", "x");
    expect(createPrivateKey({ key: p521, format: "der", type: "pkcs8" }).asymmetricKeyDetails?.namedCurve).toBe("secp521r1");
  });
});

describe("WrappingKeyPool", () => {
  it("fills to its targets in the background and refills after a take", async () => {
    const pool = new WrappingKeyPool({ RSA_2048: 2, RSA_3072: 0, RSA_4096: 0 }, 2);
    pool.start();
    await pool.whenFilled();
    expect(pool.sizes()).toEqual({ RSA_2048: 2, RSA_3072: 0, RSA_4096: 0 });
    const pair = await pool.take("RSA_2048");
    expect(pool.size("RSA_2048")).toBe(1);
    expect(createPublicKey({ key: pair.publicKeyDer, format: "der", type: "spki" }).asymmetricKeyDetails?.modulusLength).toBe(2048);
    await pool.whenFilled();
    expect(pool.size("RSA_2048")).toBe(2);
    pool.stop();
  });

  it("generates on demand when empty, one distinct pair per caller", async () => {
    const pool = new WrappingKeyPool({ RSA_2048: 0, RSA_3072: 0, RSA_4096: 0 });
    pool.start();
    const pairs = await Promise.all([pool.take("RSA_2048"), pool.take("RSA_2048"), pool.take("RSA_2048")]);
    expect(new Set(pairs.map((p) => p.publicKeyDer.toString("base64"))).size).toBe(3);
    expect(pool.size("RSA_2048")).toBe(0);
    pool.stop();
  });
});
