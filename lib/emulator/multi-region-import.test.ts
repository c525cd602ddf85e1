import { randomBytes } from "node:crypto";
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  ListKeyRotationsCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  VerifyMacCommand,
  type KeySpec,
} from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { REPLICA_CREATION_MS } from "./kms/multi-region-operations";
import { ON_DEMAND_ROTATION_LIMIT } from "./kms/rotation-operations";
import { expectAwsError, importWithNode, multiRegionHarness } from "./test-support";

/**
 * Imported material in multi-Region keys: each Region imports its own, new material goes through the
 * primary, rotation and deletion reach the replicas as the API references say, and related keys
 * interoperate only with the same material.
 */

const EU = "eu-west-1";
const US = "us-east-1";
const AP = "ap-southeast-2";
const DAY_MS = 24 * 60 * 60 * 1000;

const h = multiRegionHarness([EU, US, AP]);
const { kms } = h;
const arnIn = (region: string, keyId: string) => `arn:aws:kms:${region}:${h.emulator.baseAccountId}:key/${keyId}`;

/** An EXTERNAL multi-Region primary in eu-west-1 holding `material`, with replicas (PendingImport) in `replicas`. */
async function importedSet(material: Buffer, replicas: string[] = [US, AP], keySpec: KeySpec = "SYMMETRIC_DEFAULT") {
  const usage = keySpec === "SYMMETRIC_DEFAULT" ? "ENCRYPT_DECRYPT" : "GENERATE_VERIFY_MAC";
  const created = await kms(EU).send(new CreateKeyCommand({ MultiRegion: true, Origin: "EXTERNAL", KeySpec: keySpec, KeyUsage: usage }));
  const keyId = created.KeyMetadata!.KeyId!;
  await importWithNode(kms(EU), arnIn(EU, keyId), material);
  for (const region of replicas) await kms(EU).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: region }));
  if (replicas.length > 0) await h.admin.advanceClock(REPLICA_CREATION_MS);
  return keyId;
}

async function rotations(region: string, keyId: string) {
  const listed = await kms(region).send(new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: "ALL_KEY_MATERIAL" }));
  return (listed.Rotations ?? []).map((r) => ({ id: r.KeyMaterialId, state: r.KeyMaterialState }));
}

async function describeIn(region: string, keyId: string) {
  return (await kms(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
}

describe("importing into related multi-Region keys", () => {
  it("needs an import per Region; the same bytes give the same KeyMaterialId and ciphertext decrypts across Regions", async () => {
    const material = randomBytes(32);
    const keyId = await importedSet(material);
    // Nothing was copied: the replica waits for its own import.
    expect((await describeIn(US, keyId)).KeyState).toBe("PendingImport");

    const primaryId = (await describeIn(EU, keyId)).CurrentKeyMaterialId;
    const imported = await importWithNode(kms(US), arnIn(US, keyId), material, { validTo: new Date(Date.now() + 10 * DAY_MS) });
    expect(imported.KeyMaterialId).toBe(primaryId);
    expect((await describeIn(US, keyId)).KeyState).toBe("Enabled");

    const encrypted = await kms(EU).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("cross-Region"), EncryptionContext: { purpose: "test" } }));
    const decrypted = await kms(US).send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { purpose: "test" } }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe("cross-Region");
    expect(decrypted.KeyId).toBe(arnIn(US, keyId));
    // A Region still without material cannot.
    await expectAwsError(kms(AP).send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob })), "KMSInvalidStateException", /pending import/);
  });

  it("accepts other bytes as a replica's first import, but the keys are then not interoperable", async () => {
    const keyId = await importedSet(randomBytes(32), [US]);
    const other = await importWithNode(kms(US), arnIn(US, keyId), randomBytes(32));
    expect(other.KeyMaterialId).not.toBe((await describeIn(EU, keyId)).CurrentKeyMaterialId);

    const fromEu = await kms(EU).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") }));
    await expectAwsError(kms(US).send(new DecryptCommand({ CiphertextBlob: fromEu.CiphertextBlob })), "InvalidCiphertextException");
    const fromUs = await kms(US).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") }));
    await expectAwsError(kms(EU).send(new DecryptCommand({ CiphertextBlob: fromUs.CiphertextBlob })), "InvalidCiphertextException");
  });

  it("gives equal MACs across Regions for HMAC keys only with the same material", async () => {
    const material = randomBytes(32);
    const keyId = await importedSet(material, [US, AP], "HMAC_256");
    await importWithNode(kms(US), arnIn(US, keyId), material);
    await importWithNode(kms(AP), arnIn(AP, keyId), randomBytes(32));
    const mac = async (region: string) =>
      Buffer.from((await kms(region).send(new GenerateMacCommand({ KeyId: keyId, Message: Buffer.from("m"), MacAlgorithm: "HMAC_SHA_256" }))).Mac!).toString("hex");
    const eu = await mac(EU);
    expect(await mac(US)).toBe(eu);
    expect(await mac(AP)).not.toBe(eu);
    const verified = await kms(US).send(new VerifyMacCommand({ KeyId: keyId, Message: Buffer.from("m"), MacAlgorithm: "HMAC_SHA_256", Mac: Buffer.from(eu, "hex") }));
    expect(verified.MacValid).toBe(true);
    await expectAwsError(kms(AP).send(new VerifyMacCommand({ KeyId: keyId, Message: Buffer.from("m"), MacAlgorithm: "HMAC_SHA_256", Mac: Buffer.from(eu, "hex") })), "KMSInvalidMacException");
  });

  it("keeps expiry and key state per Region: the primary's material expiring leaves the replica working", async () => {
    const material = randomBytes(32);
    const created = await kms(EU).send(new CreateKeyCommand({ MultiRegion: true, Origin: "EXTERNAL" }));
    const keyId = created.KeyMetadata!.KeyId!;
    await importWithNode(kms(EU), arnIn(EU, keyId), material, { validTo: new Date(Date.now() + 2 * DAY_MS) });
    await kms(EU).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: US }));
    await h.admin.advanceClock(REPLICA_CREATION_MS);
    await importWithNode(kms(US), arnIn(US, keyId), material, { validTo: new Date(Date.now() + 20 * DAY_MS) });
    expect((await describeIn(US, keyId)).ValidTo!.getTime()).toBeGreaterThan((await describeIn(EU, keyId)).ValidTo!.getTime());

    await h.admin.advanceClock(3 * DAY_MS);
    expect((await describeIn(EU, keyId)).KeyState).toBe("PendingImport");
    expect((await describeIn(US, keyId)).KeyState).toBe("Enabled");
    await kms(US).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("still") }));
  });
});

describe("new material for a multi-Region symmetric key", () => {
  /** A set whose primary and both replicas hold `first`, and whose primary has `next` imported as new material. */
  async function setWithNewMaterial(first: Buffer, next: Buffer) {
    const keyId = await importedSet(first);
    await importWithNode(kms(US), arnIn(US, keyId), first);
    await importWithNode(kms(AP), arnIn(AP, keyId), first);
    const imported = await importWithNode(kms(EU), arnIn(EU, keyId), next, { importType: "NEW_KEY_MATERIAL", description: "2025 rotation" });
    return { keyId, nextId: imported.KeyMaterialId! };
  }

  it("is PENDING_MULTI_REGION_IMPORT_AND_ROTATION until every replica imports it, then PENDING_ROTATION, then current everywhere", async () => {
    const first = randomBytes(32);
    const next = randomBytes(32);
    const { keyId, nextId } = await setWithNewMaterial(first, next);
    const firstId = (await describeIn(EU, keyId)).CurrentKeyMaterialId!;
    expect(await rotations(EU, keyId)).toEqual([
      { id: firstId, state: "CURRENT" },
      { id: nextId, state: "PENDING_MULTI_REGION_IMPORT_AND_ROTATION" },
    ]);
    const before = await kms(EU).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("old") }));

    // Rotation waits for every replica.
    await expectAwsError(kms(EU).send(new RotateKeyOnDemandCommand({ KeyId: keyId })), "KMSInvalidStateException", new RegExp(`${US}, ${AP}`));
    const replicaImport = await importWithNode(kms(US), arnIn(US, keyId), next, { importType: "EXISTING_KEY_MATERIAL", keyMaterialId: nextId });
    expect(replicaImport.KeyMaterialId).toBe(nextId);
    // The replica lists its copy in the same state as the primary's.
    expect(await rotations(US, keyId)).toContainEqual({ id: nextId, state: "PENDING_MULTI_REGION_IMPORT_AND_ROTATION" });
    await expectAwsError(kms(EU).send(new RotateKeyOnDemandCommand({ KeyId: keyId })), "KMSInvalidStateException", new RegExp(AP));
    await importWithNode(kms(AP), arnIn(AP, keyId), next); // EXISTING_KEY_MATERIAL by default after the first import
    expect(await rotations(EU, keyId)).toContainEqual({ id: nextId, state: "PENDING_ROTATION" });
    expect(await rotations(AP, keyId)).toContainEqual({ id: nextId, state: "PENDING_ROTATION" });
    // The current material is unchanged until the rotation.
    expect((await describeIn(US, keyId)).CurrentKeyMaterialId).toBe(firstId);

    // Rotation runs on the primary only, and makes the material current on every related key.
    await expectAwsError(kms(US).send(new RotateKeyOnDemandCommand({ KeyId: keyId })), "UnsupportedOperationException", /replica/);
    await kms(EU).send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    for (const region of [EU, US, AP]) {
      expect((await describeIn(region, keyId)).CurrentKeyMaterialId, region).toBe(nextId);
      expect(await rotations(region, keyId), region).toEqual([
        { id: firstId, state: "NON_CURRENT" },
        { id: nextId, state: "CURRENT" },
      ]);
    }
    const after = await kms(US).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("new") }));
    expect(Buffer.from((await kms(AP).send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob }))).Plaintext!).toString()).toBe("new");
    expect(Buffer.from((await kms(US).send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }))).Plaintext!).toString()).toBe("old");
  });

  it("is refused by a replica: new material goes into the primary only", async () => {
    const first = randomBytes(32);
    const keyId = await importedSet(first, [US]);
    await importWithNode(kms(US), arnIn(US, keyId), first);
    await expectAwsError(importWithNode(kms(US), arnIn(US, keyId), randomBytes(32), { importType: "NEW_KEY_MATERIAL" }), "UnsupportedOperationException", /primary key in eu-west-1/);
    // Bytes the primary does not have pending are not "existing" material for the replica.
    await expectAwsError(importWithNode(kms(US), arnIn(US, keyId), randomBytes(32), { importType: "EXISTING_KEY_MATERIAL" }), "IncorrectKeyMaterialException");
    expect(await rotations(US, keyId)).toHaveLength(1);
  });

  it("refuses a second NEW_KEY_MATERIAL into the primary while one is pending, in either pending state", async () => {
    const { keyId } = await setWithNewMaterial(randomBytes(32), randomBytes(32));
    await expectAwsError(importWithNode(kms(EU), arnIn(EU, keyId), randomBytes(32), { importType: "NEW_KEY_MATERIAL" }), "KMSInvalidStateException", /pending rotation/);
  });

  it("is deleted from the replicas too when the primary's pending material is deleted", async () => {
    const next = randomBytes(32);
    const { keyId, nextId } = await setWithNewMaterial(randomBytes(32), next);
    await importWithNode(kms(US), arnIn(US, keyId), next);
    const deleted = await kms(EU).send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: nextId }));
    expect(deleted.KeyMaterialId).toBe(nextId);
    for (const region of [EU, US, AP]) {
      expect((await rotations(region, keyId)).map((r) => r.id), region).not.toContain(nextId);
      expect((await describeIn(region, keyId)).KeyState, region).toBe("Enabled");
    }
  });

  it("leaves the primary and the other replicas unchanged when a replica's material is deleted", async () => {
    const next = randomBytes(32);
    const { keyId, nextId } = await setWithNewMaterial(randomBytes(32), next);
    await importWithNode(kms(US), arnIn(US, keyId), next);
    await importWithNode(kms(AP), arnIn(AP, keyId), next);
    expect(await rotations(EU, keyId)).toContainEqual({ id: nextId, state: "PENDING_ROTATION" });

    await kms(US).send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: nextId }));
    expect((await rotations(US, keyId)).map((r) => r.id)).not.toContain(nextId);
    expect((await rotations(AP, keyId)).map((r) => r.id)).toContain(nextId);
    // The primary keeps its material; it shows again that a replica lacks it, so rotation waits for it.
    expect(await rotations(EU, keyId)).toContainEqual({ id: nextId, state: "PENDING_MULTI_REGION_IMPORT_AND_ROTATION" });
    await expectAwsError(kms(EU).send(new RotateKeyOnDemandCommand({ KeyId: keyId })), "KMSInvalidStateException");

    // Deleting a replica's current material makes that replica alone PendingImport.
    await kms(AP).send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    expect((await describeIn(AP, keyId)).KeyState).toBe("PendingImport");
    expect((await describeIn(EU, keyId)).KeyState).toBe("Enabled");
    expect((await describeIn(US, keyId)).KeyState).toBe("Enabled");
  });

  it("keeps the limit of on-demand rotations on the set", async () => {
    const keyId = await importedSet(randomBytes(32), []);
    for (let i = 0; i < ON_DEMAND_ROTATION_LIMIT; i += 1) {
      await importWithNode(kms(EU), arnIn(EU, keyId), randomBytes(32), { importType: "NEW_KEY_MATERIAL" });
      // Without replicas the new material is pending rotation at once.
      if (i === 0) expect((await rotations(EU, keyId)).at(-1)?.state).toBe("PENDING_ROTATION");
      await kms(EU).send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    }
    await importWithNode(kms(EU), arnIn(EU, keyId), randomBytes(32), { importType: "NEW_KEY_MATERIAL" });
    await expectAwsError(kms(EU).send(new RotateKeyOnDemandCommand({ KeyId: keyId })), "LimitExceededException");
  });
});

describe("KMS-generated multi-Region keys", () => {
  it("rotate on the primary only, and the new material is current in every replica", async () => {
    const created = await kms(EU).send(new CreateKeyCommand({ MultiRegion: true }));
    const keyId = created.KeyMetadata!.KeyId!;
    await kms(EU).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: US }));
    await h.admin.advanceClock(REPLICA_CREATION_MS);
    await expectAwsError(kms(US).send(new RotateKeyOnDemandCommand({ KeyId: keyId })), "UnsupportedOperationException");
    await kms(EU).send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const current = (await describeIn(EU, keyId)).CurrentKeyMaterialId;
    expect((await describeIn(US, keyId)).CurrentKeyMaterialId).toBe(current);
    const encrypted = await kms(EU).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("g") }));
    expect(Buffer.from((await kms(US).send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }))).Plaintext!).toString()).toBe("g");
  });
});
