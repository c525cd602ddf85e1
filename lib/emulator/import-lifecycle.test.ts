import { createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListKeyRotationsCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { wrapKeyMaterial } from "./crypto/wrap";
import { adminClient, startEmulator, type AdminClient, type RunningEmulator } from "./index";
import { createKey, expectAwsError, importWithNode, kmsClient } from "./test-support";

/** Import tokens, material checks, expiry, deletion and rotation of imported material. */

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

let emulator: RunningEmulator;
let kms: KMSClient;
let admin: AdminClient;

beforeAll(async () => {
  emulator = await startEmulator({ admin: true });
  kms = kmsClient(emulator);
  admin = adminClient(emulator.endpoint);
});

afterAll(async () => {
  kms?.destroy();
  await emulator?.close();
});

beforeEach(async () => {
  await admin.reset();
  // Every test starts on the wall clock; those that move time do it explicitly.
  await admin.setClock(Date.now());
});

async function parametersFor(keyArn: string) {
  const params = await kms.send(new GetParametersForImportCommand({ KeyId: keyArn, WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec: "RSA_2048" }));
  const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey as Uint8Array), format: "der", type: "spki" });
  return {
    token: params.ImportToken as Uint8Array,
    publicKey,
    wrap: (material: Buffer) => wrapKeyMaterial("RSA_AES_KEY_WRAP_SHA_256", publicKey, material),
    validTo: params.ParametersValidTo as Date,
  };
}

function importCommand(keyArn: string, token: Uint8Array, encrypted: Uint8Array, extra: Record<string, unknown> = {}) {
  return new ImportKeyMaterialCommand({ KeyId: keyArn, ImportToken: token, EncryptedKeyMaterial: encrypted, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", ...extra });
}

describe("GetParametersForImport", () => {
  it("returns the key ARN, a fresh ~2.6 KB token and DER public key, valid for 24 hours", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    const before = Date.now();
    const first = await kms.send(new GetParametersForImportCommand({ KeyId: key.keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }));
    const second = await kms.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }));
    expect(first.KeyId).toBe(key.arn);
    const token = first.ImportToken as Uint8Array;
    expect(token.length).toBeGreaterThan(2400);
    expect(token.length).toBeLessThanOrEqual(6144);
    const publicKey = createPublicKey({ key: Buffer.from(first.PublicKey as Uint8Array), format: "der", type: "spki" });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(Buffer.from(second.PublicKey as Uint8Array)).not.toEqual(Buffer.from(first.PublicKey as Uint8Array));
    expect(Buffer.from(second.ImportToken as Uint8Array)).not.toEqual(Buffer.from(token));
    const validTo = (first.ParametersValidTo as Date).getTime();
    expect(validTo - before).toBeGreaterThanOrEqual(DAY_MS - 1000);
    expect(validTo - before).toBeLessThan(DAY_MS + 60_000);
  });

  it("refuses keys of other origins, keys pending deletion, unknown, malformed and foreign-Region keys", async () => {
    const kmsKey = await createKey(kms, "SYMMETRIC_DEFAULT", { origin: "AWS_KMS" });
    const request = (keyId: string) => kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }));
    await expectAwsError(request(kmsKey.arn), "UnsupportedOperationException", `${kmsKey.arn} origin is AWS_KMS which is not valid for this operation.`);

    const doomed = await createKey(kms, "SYMMETRIC_DEFAULT");
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.arn, PendingWindowInDays: 7 }));
    await expectAwsError(request(doomed.arn), "KMSInvalidStateException", `${doomed.arn} is pending deletion.`);

    const missing = doomed.arn.replace(doomed.keyId, "00000000-0000-4000-8000-000000000000");
    await expectAwsError(request(missing), "NotFoundException", `Key '${missing}' does not exist`);
    await expectAwsError(request("not-a-key"), "NotFoundException", "Invalid keyId 'not-a-key'");
    await expectAwsError(request(doomed.arn.replace("eu-west-1", "eu-central-1")), "NotFoundException", "Invalid arn eu-central-1");
  });
});

describe("import tokens", () => {
  it("are bound to their key", async () => {
    const [one, other] = await Promise.all([createKey(kms, "SYMMETRIC_DEFAULT"), createKey(kms, "SYMMETRIC_DEFAULT")]);
    const params = await parametersFor(one.arn);
    await expectAwsError(kms.send(importCommand(other.arn, params.token, params.wrap(randomBytes(32)))), "InvalidImportTokenException");
  });

  it("expire at ParametersValidTo by the emulator clock", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    const params = await parametersFor(key.arn);
    const encrypted = params.wrap(randomBytes(32));
    await admin.setClock(params.validTo.getTime() + 1000);
    await expectAwsError(kms.send(importCommand(key.arn, params.token, encrypted)), "ExpiredImportTokenException");
    // Just before expiry the same token still works.
    await admin.setClock(params.validTo.getTime() - 60_000);
    await kms.send(importCommand(key.arn, params.token, encrypted));
  });

  it("refuse tampering and garbage", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    const params = await parametersFor(key.arn);
    const encrypted = params.wrap(randomBytes(32));
    const tampered = Buffer.from(params.token);
    tampered[tampered.length - 100] = (tampered[tampered.length - 100] as number) ^ 0x01;
    await expectAwsError(kms.send(importCommand(key.arn, tampered, encrypted)), "InvalidImportTokenException");
    await expectAwsError(kms.send(importCommand(key.arn, randomBytes(2600), encrypted)), "InvalidImportTokenException");
    await expectAwsError(kms.send(importCommand(key.arn, Buffer.from(params.token).subarray(0, 40), encrypted)), "InvalidImportTokenException");
  });

  it("stay usable until they expire (reissuing is not required between attempts)", async () => {
    const key = await createKey(kms, "HMAC_256");
    const params = await parametersFor(key.arn);
    const material = randomBytes(32);
    await kms.send(importCommand(key.arn, params.token, params.wrap(material)));
    await kms.send(importCommand(key.arn, params.token, params.wrap(material)));
    const described = await kms.send(new DescribeKeyCommand({ KeyId: key.arn }));
    expect(described.KeyMetadata?.KeyState).toBe("Enabled");
  });
});

describe("key material checks", () => {
  it("refuses material that does not unwrap with the token's key pair", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    const params = await parametersFor(key.arn);
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const wrongPair = wrapKeyMaterial("RSA_AES_KEY_WRAP_SHA_256", stranger.publicKey, randomBytes(32));
    await expectAwsError(kms.send(importCommand(key.arn, params.token, wrongPair)), "InvalidCiphertextException");
    // The right public key, but another algorithm than the token's (RSA_AES_KEY_WRAP_SHA_256).
    const oaepInstead = wrapKeyMaterial("RSAES_OAEP_SHA_256", params.publicKey, randomBytes(32));
    await expectAwsError(kms.send(importCommand(key.arn, params.token, oaepInstead)), "InvalidCiphertextException");
    const sha1Instead = wrapKeyMaterial("RSA_AES_KEY_WRAP_SHA_1", params.publicKey, randomBytes(32));
    await expectAwsError(kms.send(importCommand(key.arn, params.token, sha1Instead)), "InvalidCiphertextException");
  });

  it.each([
    ["SYMMETRIC_DEFAULT", () => randomBytes(31)],
    ["SYMMETRIC_DEFAULT", () => randomBytes(33)],
    ["HMAC_256", () => randomBytes(48)],
    ["HMAC_512", () => randomBytes(32)],
    ["RSA_3072", () => generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "der", type: "pkcs8" })],
    ["RSA_2048", () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "der", type: "pkcs8" })],
    ["ECC_NIST_P256", () => generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey.export({ format: "der", type: "pkcs8" })],
    ["ECC_NIST_P256", () => randomBytes(121)],
    ["ECC_NIST_P256", () => Buffer.concat([generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "der", type: "pkcs8" }), Buffer.from([0])])],
  ] as const)("refuses the wrong material for a %s key", async (keySpec, makeMaterial) => {
    const key = await createKey(kms, keySpec);
    const params = await parametersFor(key.arn);
    await expectAwsError(kms.send(importCommand(key.arn, params.token, params.wrap(makeMaterial()))), "IncorrectKeyMaterialException");
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata?.KeyState).toBe("PendingImport");
  });

  it.each(["SYMMETRIC_DEFAULT", "HMAC_256", "ECC_NIST_P256"] as const)("accepts only the same material when reimporting into a %s key", async (keySpec) => {
    const key = await createKey(kms, keySpec);
    const make = () =>
      keySpec === "ECC_NIST_P256" ? generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "der", type: "pkcs8" }) : randomBytes(32);
    const material = make();
    await importWithNode(kms, key.arn, material);
    await expectAwsError(importWithNode(kms, key.arn, make()), "IncorrectKeyMaterialException", /does not match/);
    await importWithNode(kms, key.arn, material, { validTo: new Date(Date.now() + 30 * DAY_MS) });
    const described = await kms.send(new DescribeKeyCommand({ KeyId: key.arn }));
    expect(described.KeyMetadata?.KeyState).toBe("Enabled");
    expect(described.KeyMetadata?.ExpirationModel).toBe("KEY_MATERIAL_EXPIRES");
  });
});

describe("ImportKeyMaterial field rules", () => {
  it("validates ExpirationModel and ValidTo", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    const params = await parametersFor(key.arn);
    const encrypted = params.wrap(randomBytes(32));
    const attempt = (extra: Record<string, unknown>) => kms.send(importCommand(key.arn, params.token, encrypted, extra));
    await expectAwsError(attempt({ ExpirationModel: undefined }), "ValidationException", "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
    await expectAwsError(attempt({ ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: new Date(Date.now() - 1000) }), "ValidationException", /future/);
    await expectAwsError(attempt({ ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: new Date(Date.now() + 366 * DAY_MS) }), "ValidationException", /365 days/);
    await expectAwsError(attempt({ ValidTo: new Date(Date.now() + DAY_MS) }), "ValidationException", /must not be set/);
    await expectAwsError(attempt({ KeyMaterialDescription: "bad!chars" }), "ValidationException", /keyMaterialDescription/);
    await expectAwsError(attempt({ KeyMaterialId: "ABC" }), "ValidationException", /keyMaterialId/);
    await expectAwsError(attempt({ ImportType: "NEW_KEY_MATERIAL", KeyMaterialId: "a".repeat(64) }), "ValidationException", /NEW_KEY_MATERIAL/);
    await attempt({ ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: new Date(Date.now() + 364 * DAY_MS), KeyMaterialDescription: "HSM export 2025-01 batch.7" });
  });

  it("takes ImportType, KeyMaterialId and KeyMaterialDescription for symmetric keys only", async () => {
    const key = await createKey(kms, "HMAC_256");
    const params = await parametersFor(key.arn);
    const encrypted = params.wrap(randomBytes(32));
    await expectAwsError(kms.send(importCommand(key.arn, params.token, encrypted, { ImportType: "NEW_KEY_MATERIAL" })), "ValidationException", /symmetric/);
    await expectAwsError(kms.send(importCommand(key.arn, params.token, encrypted, { KeyMaterialDescription: "x" })), "ValidationException", /symmetric/);
  });

  it("refuses keys of other origins and keys pending deletion", async () => {
    const kmsKey = await createKey(kms, "SYMMETRIC_DEFAULT");
    const params = await parametersFor(kmsKey.arn);
    const encrypted = params.wrap(randomBytes(32));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: kmsKey.arn, PendingWindowInDays: 7 }));
    await expectAwsError(kms.send(importCommand(kmsKey.arn, params.token, encrypted)), "KMSInvalidStateException", /pending deletion/);
    const generated = await kms.send(new CreateKeyCommand({}));
    await expectAwsError(kms.send(importCommand(generated.KeyMetadata?.Arn as string, params.token, encrypted)), "UnsupportedOperationException", /origin is AWS_KMS/);
  });
});

describe("ValidTo", () => {
  it("deletes the material at ValidTo; the key waits in PendingImport until the same material is reimported", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    const material = randomBytes(32);
    const validTo = new Date(Date.now() + 2 * HOUR_MS);
    await importWithNode(kms, key.arn, material, { validTo });
    let metadata = (await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata;
    expect(metadata?.KeyState).toBe("Enabled");
    expect(metadata?.ValidTo?.getTime()).toBe(validTo.getTime());
    const ciphertext = (await kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: Buffer.from("before expiry") }))).CiphertextBlob;

    await admin.advanceClock(3 * HOUR_MS);
    metadata = (await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata;
    expect(metadata?.KeyState).toBe("PendingImport");
    expect(metadata?.Enabled).toBe(false);
    expect(metadata?.ValidTo).toBeUndefined();
    await expectAwsError(kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: Buffer.from("x") })), "KMSInvalidStateException", /pending import/);
    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: key.arn, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }));
    expect(rotations.Rotations?.[0]?.ImportState).toBe("PENDING_IMPORT");

    await expectAwsError(importWithNode(kms, key.arn, randomBytes(32)), "IncorrectKeyMaterialException");
    await importWithNode(kms, key.arn, material);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata?.KeyState).toBe("Enabled");
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
    expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe("before expiry");
  });

  it("expires asymmetric and HMAC material too", async () => {
    const key = await createKey(kms, "HMAC_384");
    await importWithNode(kms, key.arn, randomBytes(48), { validTo: new Date(Date.now() + DAY_MS) });
    await kms.send(new GenerateMacCommand({ KeyId: key.arn, MacAlgorithm: "HMAC_SHA_384", Message: Buffer.from("m") }));
    await admin.advanceClock(DAY_MS + 1000);
    await expectAwsError(kms.send(new GenerateMacCommand({ KeyId: key.arn, MacAlgorithm: "HMAC_SHA_384", Message: Buffer.from("m") })), "KMSInvalidStateException");
  });
});

describe("DeleteImportedKeyMaterial", () => {
  it("returns the key to PendingImport, is a no-op there, and leaves a key pending deletion in that state", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    const imported = await importWithNode(kms, key.arn, randomBytes(32));
    const deleted = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.arn }));
    expect(deleted.KeyId).toBe(key.arn);
    expect(deleted.KeyMaterialId).toBe(imported.KeyMaterialId);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata?.KeyState).toBe("PendingImport");
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.arn }));

    const other = await createKey(kms, "ECC_NIST_P256");
    await importWithNode(kms, other.arn, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "der", type: "pkcs8" }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: other.arn, PendingWindowInDays: 7 }));
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: other.arn }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: other.arn }))).KeyMetadata?.KeyState).toBe("PendingDeletion");
  });

  it("is refused for keys KMS generated", async () => {
    const generated = await kms.send(new CreateKeyCommand({}));
    await expectAwsError(kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: generated.KeyMetadata?.Arn })), "UnsupportedOperationException");
  });
});

describe("rotation of imported symmetric material", () => {
  it("NEW_KEY_MATERIAL becomes PENDING_ROTATION; RotateKeyOnDemand makes it current; old ciphertext still decrypts", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    const first = await importWithNode(kms, key.arn, randomBytes(32), { description: "Initial" });
    const firstId = first.KeyMaterialId as string;
    expect(firstId).toMatch(/^[a-f0-9]{64}$/);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata?.CurrentKeyMaterialId).toBe(firstId);
    const oldCiphertext = (await kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: Buffer.from("generation one") }))).CiphertextBlob;

    await expectAwsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.arn })), "KMSInvalidStateException", /pending rotation/);
    const second = await importWithNode(kms, key.arn, randomBytes(32), { importType: "NEW_KEY_MATERIAL", description: "Rotation 1" });
    const secondId = second.KeyMaterialId as string;
    expect(secondId).not.toBe(firstId);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata?.CurrentKeyMaterialId).toBe(firstId);
    const pending = await kms.send(new ListKeyRotationsCommand({ KeyId: key.arn, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }));
    expect(pending.Rotations?.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.ImportState, r.KeyMaterialDescription])).toEqual([
      [firstId, "CURRENT", "IMPORTED", "Initial"],
      [secondId, "PENDING_ROTATION", "IMPORTED", "Rotation 1"],
    ]);
    expect((await kms.send(new ListKeyRotationsCommand({ KeyId: key.arn }))).Rotations).toEqual([]);
    await expectAwsError(importWithNode(kms, key.arn, randomBytes(32), { importType: "NEW_KEY_MATERIAL" }), "KMSInvalidStateException", /pending rotation/);

    const rotated = await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.arn }));
    expect(rotated.KeyId).toBe(key.arn);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata?.CurrentKeyMaterialId).toBe(secondId);
    const completed = await kms.send(new ListKeyRotationsCommand({ KeyId: key.arn, IncludeKeyMaterial: "ROTATIONS_ONLY" }));
    expect(completed.Rotations).toHaveLength(1);
    expect(completed.Rotations?.[0]).toMatchObject({ KeyId: key.keyId, KeyMaterialId: secondId, KeyMaterialState: "CURRENT", RotationType: "ON_DEMAND" });
    expect(completed.Rotations?.[0]?.RotationDate).toBeInstanceOf(Date);

    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: oldCiphertext }));
    expect(decrypted.KeyMaterialId).toBe(firstId);
    const fresh = await kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: Buffer.from("generation two") }));
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: fresh.CiphertextBlob }))).KeyMaterialId).toBe(secondId);
  });

  it("reimports an older generation by KeyMaterialId with EXISTING_KEY_MATERIAL", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    const material = randomBytes(32);
    const first = await importWithNode(kms, key.arn, material, { validTo: new Date(Date.now() + HOUR_MS) });
    await admin.advanceClock(2 * HOUR_MS);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata?.KeyState).toBe("PendingImport");
    await expectAwsError(importWithNode(kms, key.arn, randomBytes(32), { importType: "EXISTING_KEY_MATERIAL", keyMaterialId: first.KeyMaterialId }), "IncorrectKeyMaterialException");
    const again = await importWithNode(kms, key.arn, material, { importType: "EXISTING_KEY_MATERIAL", keyMaterialId: first.KeyMaterialId });
    expect(again.KeyMaterialId).toBe(first.KeyMaterialId);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata?.KeyState).toBe("Enabled");
  });

  it("RotateKeyOnDemand is refused for HMAC and asymmetric keys", async () => {
    const key = await createKey(kms, "HMAC_256");
    await importWithNode(kms, key.arn, randomBytes(32));
    await expectAwsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.arn })), "UnsupportedOperationException");
    await expectAwsError(kms.send(new ListKeyRotationsCommand({ KeyId: key.arn })), "UnsupportedOperationException");
  });
});
