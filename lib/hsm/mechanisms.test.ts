import { generateKeyPairSync } from "node:crypto";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { parametersReadme } from "@/lib/imports/commands";
import { readBundle, readWrappingKey } from "./inputs";
import { checkFits, checkKey, type KeyFacts } from "./key-facts";
import { algorithmsThatWork, describePlan, planWrap, type Capabilities } from "./mechanisms";
import { Refusal } from "./refusal";

/** The companion's decisions without a token: plans, refusals and the inputs it reads. */

const aes: KeyFacts = {
  keyClass: "secret",
  keyTypeName: "CKK_AES",
  label: "kek",
  id: "01",
  valueLen: 32,
  extractable: true,
  sensitive: true,
  alwaysSensitive: true,
  local: true,
  wrapWithTrusted: false,
};
const rsa: KeyFacts = { ...aes, keyClass: "private", keyTypeName: "CKK_RSA", label: "signing", valueLen: undefined, modulusBits: 3072 };

/** A token that does everything exactly. */
const full: Capabilities = {
  oaepMechanism: true,
  oaep: { sha1: { ok: true }, sha256: { ok: true } },
  aesWrap: "CKM_AES_KEY_WRAP_KWP",
  aesWrapFidelity: { secret: "exact", private: "exact" },
  aesKeyGen: true,
  rsaAesKeyWrap: true,
};
/** What Debian's SoftHSM2 2.6.1 showed. */
const softhsm26: Capabilities = {
  oaepMechanism: true,
  oaep: { sha1: { ok: true }, sha256: { ok: false, rv: "CKR_ARGUMENTS_BAD" } },
  aesWrap: "CKM_AES_KEY_WRAP_PAD",
  aesWrapFidelity: { secret: "pads", private: "pads" },
  aesKeyGen: true,
  rsaAesKeyWrap: false,
};

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(Refusal);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("planning a wrap from what the token can do", () => {
  it("does everything inside a token that can", () => {
    expect(planWrap("RSAES_OAEP_SHA_256", aes, full, 4096)).toEqual({ kind: "oaep", algorithm: "RSAES_OAEP_SHA_256", hash: "sha256" });
    const plan = planWrap("RSA_AES_KEY_WRAP_SHA_256", rsa, full, 4096);
    expect(plan).toEqual({ kind: "rsa-aes", algorithm: "RSA_AES_KEY_WRAP_SHA_256", hash: "sha256", aesWrap: "CKM_AES_KEY_WRAP_KWP", transport: "token" });
    expect(describePlan(plan)).toContain("wholly inside the token");
  });

  it("on SoftHSM2 2.6.1: SHA-1 wholly inside, RSA_AES_KEY_WRAP_SHA_256 with the transport key in memory, RSAES_OAEP_SHA_256 refused", () => {
    expect(planWrap("RSA_AES_KEY_WRAP_SHA_1", aes, softhsm26, 2048)).toMatchObject({ transport: "token", aesWrap: "CKM_AES_KEY_WRAP_PAD" });
    const memory = planWrap("RSA_AES_KEY_WRAP_SHA_256", aes, softhsm26, 2048);
    expect(memory).toMatchObject({ transport: "memory" });
    expect(describePlan(memory)).toContain("in this program's memory, because the token's C_WrapKey with CKM_RSA_PKCS_OAEP and SHA-256 (MGF1-SHA-256) answered CKR_ARGUMENTS_BAD");
    const message = refusal(() => planWrap("RSAES_OAEP_SHA_256", aes, softhsm26, 2048));
    expect(message).toContain("Issue the import parameters in Keyport with RSAES_OAEP_SHA_1 or RSA_AES_KEY_WRAP_SHA_1, which this token does wholly inside.");
    expect(message).toContain("Also possible: RSA_AES_KEY_WRAP_SHA_256");
  });

  it("refuses what would reach KMS padded: private keys, and secret keys of a length that is not a multiple of 8", () => {
    expect(refusal(() => planWrap("RSA_AES_KEY_WRAP_SHA_1", rsa, softhsm26, 2048))).toContain("zero-pads a private key's PKCS#8 encoding");
    const hmac224 = { ...aes, keyTypeName: "CKK_GENERIC_SECRET", valueLen: 28 };
    const message = refusal(() => planWrap("RSA_AES_KEY_WRAP_SHA_1", hmac224, softhsm26, 2048));
    expect(message).toContain("the 28-byte key followed by zero bytes");
    expect(message).toContain("RSAES_OAEP_SHA_1, which this token does wholly inside");
    expect(algorithmsThatWork(rsa, softhsm26)).toEqual({ inToken: [], transportInMemory: [] });
    expect(refusal(() => planWrap("RSA_AES_KEY_WRAP_SHA_1", rsa, { ...full, aesWrapFidelity: { secret: "exact", private: "not-rfc5649" } }, 2048))).toContain(
      "does not produce RFC 5649",
    );
  });

  it("refuses RSA-OAEP of a private key, a token without AES key wrap, and material too large for one OAEP block", () => {
    expect(refusal(() => planWrap("RSAES_OAEP_SHA_1", rsa, full, 2048))).toContain("CKM_RSA_PKCS_OAEP wraps only secret keys, not a CKK_RSA private key");
    expect(refusal(() => planWrap("RSA_AES_KEY_WRAP_SHA_256", aes, { ...full, aesWrap: null }, 2048))).toContain("neither CKM_AES_KEY_WRAP_KWP nor CKM_AES_KEY_WRAP_PAD");
    expect(refusal(() => planWrap("RSAES_OAEP_SHA_256", { ...aes, valueLen: 200 }, full, 2048))).toContain("carries at most 190");
  });
});

describe("the key's attributes", () => {
  it("refuses a key that is not extractable, not sensitive, or wrappable only with trusted keys", () => {
    expect(() => checkKey(aes)).not.toThrow();
    expect(refusal(() => checkKey({ ...aes, extractable: false }))).toContain("CKA_EXTRACTABLE=false");
    expect(refusal(() => checkKey({ ...aes, sensitive: false }))).toContain("CKA_SENSITIVE=false");
    expect(refusal(() => checkKey({ ...aes, wrapWithTrusted: true }))).toContain("CKA_WRAP_WITH_TRUSTED=true");
  });

  it("checks the key fits the request's key spec, naming the attribute", () => {
    expect(() => checkFits(aes, "SYMMETRIC_DEFAULT", "eu-west-1")).not.toThrow();
    expect(refusal(() => checkFits(aes, "SYMMETRIC_DEFAULT", "cn-north-1"))).toContain("takes 16 bytes of key material, and \"kek\" is 32 bytes (CKA_VALUE_LEN)");
    expect(refusal(() => checkFits(rsa, "RSA_2048", "eu-west-1"))).toContain("(CKA_MODULUS)");
    expect(refusal(() => checkFits(rsa, "HMAC_256", "eu-west-1"))).toContain("(CKA_CLASS)");
    expect(refusal(() => checkFits({ ...rsa, keyTypeName: "CKK_EC", curve: "ECC_NIST_P384" }, "ECC_NIST_P256", "eu-west-1"))).toContain("(CKA_EC_PARAMS)");
  });
});

describe("the inputs from Keyport", () => {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const der = publicKey.export({ format: "der", type: "spki" });

  it("reads WrappingPublicKey.bin as DER or PEM, and refuses anything else", () => {
    expect(readWrappingKey(der, "WrappingPublicKey.bin").modulusBits).toBe(2048);
    expect(readWrappingKey(Buffer.from(publicKey.export({ format: "pem", type: "spki" })), "WrappingPublicKey.pem").der).toEqual(der);
    expect(refusal(() => readWrappingKey(Buffer.from("not a key"), "x.bin"))).toContain("x.bin is not a public key");
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "der", type: "spki" });
    expect(refusal(() => readWrappingKey(ec, "ec.bin"))).toContain("is not an RSA 2048, 3072 or 4096 public key");
  });

  it("reads the algorithm, key spec and Region from the parameters zip's README.txt", () => {
    const zip = (wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256" | "SM2PKE") =>
      Buffer.from(
        zipSync({
          "README.txt": Buffer.from(
            parametersReadme({
              requestId: "6f1c1c5e-8d4a-4f43-9b7e-2a5b8c9d0e1f",
              keyArn: "arn:aws:kms:eu-west-1:222222222222:key/0d9f2b9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
              accountId: "222222222222",
              region: "eu-west-1",
              keySpec: "ECC_NIST_P256",
              wrappingAlgorithm,
              wrappingKeySpec: "RSA_2048",
              expirationModel: null,
              validTo: null,
              importType: null,
              parametersValidTo: new Date("2026-12-01T10:00:00Z"),
              files: [],
            }),
          ),
          "WrappingPublicKey.bin": der,
        }),
      );
    expect(readBundle(zip("RSA_AES_KEY_WRAP_SHA_256"), "p.zip")).toMatchObject({ algorithm: "RSA_AES_KEY_WRAP_SHA_256", keySpec: "ECC_NIST_P256", region: "eu-west-1" });
    expect(refusal(() => readBundle(zip("SM2PKE"), "p.zip"))).toContain("p.zip is for SM2PKE, which has no PKCS#11 mechanism here");
    expect(refusal(() => readBundle(Buffer.from("PK nonsense"), "p.zip"))).toContain("p.zip is not a zip file");
  });
});
