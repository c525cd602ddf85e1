import { createPublicKey } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  SignCommand,
  VerifyMacCommand,
  type AlgorithmSpec,
  type KMSClient,
  type KeySpec,
  type MacAlgorithmSpec,
  type SigningAlgorithmSpec,
  type WrappingKeySpec,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SupportedWrappingAlgorithm } from "./crypto/wrap";
import { startEmulator, type RunningEmulator } from "./index";
import { Workdir, createKey, decryptLocally, expectAwsError, kmsClient, openssl, opensslMaterial, opensslWrap } from "./test-support";

/**
 * Imports wrapped by the openssl CLI (an implementation independent of the emulator's), then proven to hold
 * exactly the wrapped material. The cases cover every wrapping algorithm × key family with RSA_2048 and each
 * algorithm with a larger wrapping key — a cover, not the full product, because every call needs a fresh
 * wrapping key pair and an RSA_4096 pair costs seconds of CPU.
 */

const ALGORITHMS: SupportedWrappingAlgorithm[] = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"];
const [OAEP_1, OAEP_256, AES_1, AES_256] = ALGORITHMS as [SupportedWrappingAlgorithm, SupportedWrappingAlgorithm, SupportedWrappingAlgorithm, SupportedWrappingAlgorithm];

interface Case {
  algorithm: SupportedWrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  keySpec: KeySpec;
}

const rsa2048 = (algorithm: SupportedWrappingAlgorithm, keySpec: KeySpec): Case => ({ algorithm, wrappingKeySpec: "RSA_2048", keySpec });

/**
 * RSA_2048: every algorithm × every key family KMS allows with it, the specs of each family rotating so that
 * all twelve key specs are imported. RSA_3072 and RSA_4096: each algorithm once, across the four families.
 */
const CASES: Case[] = [
  ...ALGORITHMS.map((algorithm) => rsa2048(algorithm, "SYMMETRIC_DEFAULT")),
  rsa2048(OAEP_1, "HMAC_224"),
  rsa2048(OAEP_256, "HMAC_256"),
  rsa2048(AES_1, "HMAC_384"),
  rsa2048(AES_256, "HMAC_512"),
  // RSA private keys only fit RSA_AES_KEY_WRAP (OAEP refusals are tested below).
  rsa2048(AES_1, "RSA_2048"),
  rsa2048(AES_256, "RSA_3072"),
  rsa2048(AES_256, "RSA_4096"),
  rsa2048(OAEP_1, "ECC_NIST_P256"),
  rsa2048(OAEP_256, "ECC_NIST_P384"),
  rsa2048(OAEP_256, "ECC_SECG_P256K1"),
  rsa2048(AES_1, "ECC_NIST_P521"),
  rsa2048(AES_256, "ECC_SECG_P256K1"),
  // ECC_NIST_P521 under OAEP needs at least RSA_3072.
  { algorithm: OAEP_1, wrappingKeySpec: "RSA_3072", keySpec: "ECC_NIST_P521" },
  { algorithm: AES_256, wrappingKeySpec: "RSA_3072", keySpec: "RSA_3072" },
  { algorithm: OAEP_256, wrappingKeySpec: "RSA_4096", keySpec: "SYMMETRIC_DEFAULT" },
  { algorithm: AES_1, wrappingKeySpec: "RSA_4096", keySpec: "HMAC_384" },
];

let emulator: RunningEmulator;
let kms: KMSClient;
let work: Workdir;
/** RSA material is slow to generate; one per spec, shared by the cases that need it. */
const rsaMaterial = new Map<KeySpec, Promise<string>>();

beforeAll(async () => {
  // Pairs are generated on demand (the cases run concurrently); a pre-filled pool would only add refills.
  emulator = await startEmulator({ wrappingKeyPool: { RSA_2048: 0 } });
  kms = kmsClient(emulator);
  work = await Workdir.create();
});

afterAll(async () => {
  kms?.destroy();
  await emulator?.close();
  await work?.cleanup();
});

async function materialFor(dir: string, keySpec: KeySpec): Promise<Buffer> {
  if (!keySpec.startsWith("RSA_")) return opensslMaterial(dir, keySpec);
  let shared = rsaMaterial.get(keySpec);
  if (!shared) {
    shared = work.sub(`material-${keySpec}`).then(async (rsaDir) => {
      await opensslMaterial(rsaDir, keySpec);
      return rsaDir;
    });
    rsaMaterial.set(keySpec, shared);
  }
  const material = await readFile(join(await shared, "material.bin"));
  await writeFile(join(dir, "material.bin"), material);
  return material;
}

const MESSAGE = Buffer.from("Keyport proves which material a key holds.");

/** Shows, with openssl or by decrypting outside the emulator, that the key holds `material`. */
async function proveMaterial(dir: string, keyArn: string, keySpec: KeySpec, material: Buffer): Promise<void> {
  if (keySpec === "SYMMETRIC_DEFAULT") {
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: MESSAGE }));
    const ciphertext = encrypted.CiphertextBlob as Uint8Array;
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
    expect(Buffer.from(decrypted.Plaintext as Uint8Array)).toEqual(MESSAGE);
    expect(decryptLocally(ciphertext, material, keyArn)).toEqual(MESSAGE);
    return;
  }
  await writeFile(join(dir, "message.bin"), MESSAGE);
  if (keySpec.startsWith("HMAC_")) {
    const bits = keySpec.slice(5);
    const macAlgorithm = `HMAC_SHA_${bits}` as MacAlgorithmSpec;
    const mac = await kms.send(new GenerateMacCommand({ KeyId: keyArn, Message: MESSAGE, MacAlgorithm: macAlgorithm }));
    const expected = await openssl(["dgst", `-sha${bits}`, "-mac", "HMAC", "-macopt", `hexkey:${material.toString("hex")}`, "-binary", "message.bin"], dir);
    expect(Buffer.from(mac.Mac as Uint8Array)).toEqual(expected);
    const verified = await kms.send(new VerifyMacCommand({ KeyId: keyArn, Message: MESSAGE, MacAlgorithm: macAlgorithm, Mac: expected }));
    expect(verified.MacValid).toBe(true);
    return;
  }
  // Asymmetric: the public key KMS reports is the material's, and a KMS signature verifies with openssl.
  const expectedPublic = await openssl(["pkey", "-inform", "DER", "-in", "material.bin", "-pubout", "-outform", "DER"], dir);
  await writeFile(join(dir, "public.pem"), createPublicKey({ key: expectedPublic, format: "der", type: "spki" }).export({ format: "pem", type: "spki" }));
  const publicKey = await kms.send(new GetPublicKeyCommand({ KeyId: keyArn }));
  expect(Buffer.from(publicKey.PublicKey as Uint8Array)).toEqual(expectedPublic);
  const rsa = keySpec.startsWith("RSA_");
  const bits = keySpec === "ECC_NIST_P384" ? "384" : keySpec === "ECC_NIST_P521" ? "512" : "256";
  const signingAlgorithm = (rsa ? "RSASSA_PSS_SHA_256" : `ECDSA_SHA_${bits}`) as SigningAlgorithmSpec;
  const signature = await kms.send(new SignCommand({ KeyId: keyArn, Message: MESSAGE, SigningAlgorithm: signingAlgorithm }));
  await writeFile(join(dir, "signature.bin"), signature.Signature as Uint8Array);
  const pss = rsa ? ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"] : [];
  const output = await openssl(["dgst", `-sha${rsa ? "256" : bits}`, "-verify", "public.pem", ...pss, "-signature", "signature.bin", "message.bin"], dir);
  expect(output.toString()).toContain("Verified OK");
}

describe("ImportKeyMaterial with material wrapped by openssl", () => {
  it.concurrent.each(CASES)("$algorithm with $wrappingKeySpec imports $keySpec", async ({ algorithm, wrappingKeySpec, keySpec }) => {
    const dir = await work.sub(`${algorithm}-${wrappingKeySpec}-${keySpec}`);
    const [material, key] = await Promise.all([materialFor(dir, keySpec), createKey(kms, keySpec)]);
    const params = await kms.send(
      new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: algorithm as AlgorithmSpec, WrappingKeySpec: wrappingKeySpec }),
    );
    expect(params.KeyId).toBe(key.arn);
    const encrypted = await opensslWrap(dir, algorithm, params.PublicKey as Uint8Array);
    // What Keyport checks before accepting an upload: RSA ciphertext is the modulus length; RSA_AES adds the
    // RFC 5649 output (material padded to 8 bytes, plus 8).
    const modulusBytes = Number(wrappingKeySpec.slice(4)) / 8;
    const expectedLength = algorithm.startsWith("RSAES") ? modulusBytes : modulusBytes + Math.ceil(material.length / 8) * 8 + 8;
    expect(encrypted.length).toBe(expectedLength);

    const imported = await kms.send(
      new ImportKeyMaterialCommand({ KeyId: key.arn, ImportToken: params.ImportToken, EncryptedKeyMaterial: encrypted, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }),
    );
    expect(imported.KeyId).toBe(key.arn);
    expect(imported.KeyMaterialId === undefined).toBe(keySpec !== "SYMMETRIC_DEFAULT");
    const described = await kms.send(new DescribeKeyCommand({ KeyId: key.arn }));
    expect(described.KeyMetadata?.KeyState).toBe("Enabled");
    expect(described.KeyMetadata?.ExpirationModel).toBe("KEY_MATERIAL_DOES_NOT_EXPIRE");
    await proveMaterial(dir, key.arn, keySpec, material);
  }, 120_000);
});

describe("wrapping choices KMS refuses", () => {
  it.concurrent.each(
    ALGORITHMS.filter((a) => a.startsWith("RSAES_OAEP")).flatMap((algorithm) =>
      (["RSA_2048", "RSA_3072", "RSA_4096"] as const).map((keySpec) => ({ algorithm, keySpec })),
    ),
  )("RSA material ($keySpec) cannot be wrapped with $algorithm", async ({ algorithm, keySpec }) => {
    const key = await createKey(kms, keySpec);
    await expectAwsError(
      kms.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: algorithm, WrappingKeySpec: "RSA_4096" })),
      "ValidationException",
      /RSA_AES_KEY_WRAP/,
    );
  });

  it("openssl itself cannot OAEP-wrap an RSA private key: it exceeds the OAEP capacity", async () => {
    const dir = await work.sub("oaep-too-large");
    await materialFor(dir, "RSA_2048");
    const params = await kms.send(
      new GetParametersForImportCommand({ KeyId: (await createKey(kms, "SYMMETRIC_DEFAULT")).arn, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }),
    );
    await expect(opensslWrap(dir, "RSAES_OAEP_SHA_256", params.PublicKey as Uint8Array)).rejects.toThrow(/data too large/);
  });

  it.concurrent.each(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] as const)("ECC_NIST_P521 under RSA_2048 with %s is refused", async (algorithm) => {
    const key = await createKey(kms, "ECC_NIST_P521");
    await expectAwsError(
      kms.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: algorithm, WrappingKeySpec: "RSA_2048" })),
      "ValidationException",
      /ECC_NIST_P521/,
    );
  });

  it("RSAES_PKCS1_V1_5 is no longer supported", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    await expectAwsError(
      kms.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: "RSAES_PKCS1_V1_5", WrappingKeySpec: "RSA_2048" })),
      "ValidationException",
      /no longer supported/,
    );
  });

  it("SM2 wrapping keys and SM2PKE exist only in China Regions", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    await expectAwsError(
      kms.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: "SM2PKE", WrappingKeySpec: "SM2" })),
      "ValidationException",
      /China Regions/,
    );
    await expectAwsError(
      kms.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "SM2" })),
      "ValidationException",
      /China Regions/,
    );
  });

  it("China Regions take 16-byte symmetric material and do not offer RSA_AES_KEY_WRAP", async () => {
    const china = kmsClient(emulator, "cn-north-1");
    const key = await createKey(china, "SYMMETRIC_DEFAULT");
    expect(key.arn.startsWith("arn:aws-cn:kms:cn-north-1:")).toBe(true);
    await expectAwsError(
      china.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec: "RSA_2048" })),
      "ValidationException",
      /not available in China Regions/,
    );
    const dir = await work.sub("china");
    await openssl(["rand", "-out", "material.bin", "16"], dir);
    const params = await china.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }));
    const encrypted = await opensslWrap(dir, "RSAES_OAEP_SHA_256", params.PublicKey as Uint8Array);
    await china.send(new ImportKeyMaterialCommand({ KeyId: key.arn, ImportToken: params.ImportToken, EncryptedKeyMaterial: encrypted, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));
    const material = await readFile(join(dir, "material.bin"));
    const ciphertext = (await china.send(new EncryptCommand({ KeyId: key.arn, Plaintext: MESSAGE }))).CiphertextBlob as Uint8Array;
    expect(decryptLocally(ciphertext, material, key.arn)).toEqual(MESSAGE);
    china.destroy();
  });
});
