import { randomBytes } from "node:crypto";
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  ReplicateKeyCommand,
  UpdatePrimaryRegionCommand,
} from "@aws-sdk/client-kms";
import { describe, expect, it } from "vitest";
import { PRIMARY_UPDATE_MS, REPLICA_CREATION_MS } from "./kms/multi-region-operations";
import { expectAwsError, importWithNode, multiRegionHarness } from "./test-support";

/** UpdatePrimaryRegion: its refusals, the switch of roles in every related key, and the transient Updating state. */

const EU = "eu-west-1";
const US = "us-east-1";
const AP = "ap-southeast-2";

const h = multiRegionHarness([EU, US, AP]);
const { kms } = h;

/** A KMS-generated multi-Region key in eu-west-1 with finished replicas in us-east-1 and ap-southeast-2. */
async function keySet(options: { origin?: "EXTERNAL" | "AWS_KMS" } = {}) {
  const created = await kms(EU).send(new CreateKeyCommand({ MultiRegion: true, Origin: options.origin ?? "AWS_KMS" }));
  const keyId = created.KeyMetadata!.KeyId!;
  await kms(EU).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: US }));
  await kms(EU).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: AP }));
  await h.admin.advanceClock(REPLICA_CREATION_MS);
  return keyId;
}

async function describe_(region: string, keyId: string) {
  return (await kms(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
}

describe("UpdatePrimaryRegion", () => {
  it("makes the replica the primary and the old primary a replica, in every related key's configuration", async () => {
    const keyId = await keySet();
    const answer = await kms(EU).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: US }));
    expect(Object.keys(answer).filter((k) => k !== "$metadata")).toEqual([]);

    // A few seconds of Updating for the old and new primary; the other replica is untouched.
    expect((await describe_(EU, keyId)).KeyState).toBe("Updating");
    expect((await describe_(US, keyId)).KeyState).toBe("Updating");
    expect((await describe_(AP, keyId)).KeyState).toBe("Enabled");
    // DescribeKey "might display both the old and new primary keys as replicas" meanwhile.
    expect((await describe_(US, keyId)).MultiRegionConfiguration?.MultiRegionKeyType).toBe("REPLICA");
    expect((await describe_(EU, keyId)).Enabled).toBe(false);

    await h.admin.advanceClock(PRIMARY_UPDATE_MS);
    const primaryKey = { Arn: `arn:aws:kms:${US}:${h.emulator.baseAccountId}:key/${keyId}`, Region: US };
    for (const region of [EU, US, AP]) {
      const metadata = await describe_(region, keyId);
      expect(metadata.KeyState, region).toBe("Enabled");
      expect(metadata.MultiRegionConfiguration?.MultiRegionKeyType, region).toBe(region === US ? "PRIMARY" : "REPLICA");
      expect(metadata.MultiRegionConfiguration?.PrimaryKey, region).toEqual(primaryKey);
      expect(metadata.MultiRegionConfiguration?.ReplicaKeys?.map((k) => k.Region).sort(), region).toEqual([AP, EU]);
    }
    // Only the new primary can be replicated or moved on.
    await expectAwsError(kms(EU).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "ca-central-1" })), "UnsupportedOperationException");
    await kms(US).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: AP }));
    await h.admin.advanceClock(PRIMARY_UPDATE_MS);
    expect((await describe_(EU, keyId)).MultiRegionConfiguration?.PrimaryKey?.Region).toBe(AP);
  });

  it("keeps the keys usable in cryptographic operations while Updating, and refuses management operations", async () => {
    const keyId = await keySet();
    const encrypted = await kms(EU).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("in flight") }));
    await kms(EU).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: US }));

    const decrypted = await kms(US).send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe("in flight");
    await kms(EU).send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("x") }));

    await expectAwsError(kms(US).send(new DisableKeyCommand({ KeyId: keyId })), "KMSInvalidStateException", /is updating/);
    await expectAwsError(kms(EU).send(new EnableKeyCommand({ KeyId: keyId })), "KMSInvalidStateException");
    // "you cannot replicate the new primary key" while it is Updating.
    await expectAwsError(kms(US).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: "ca-central-1" })), "KMSInvalidStateException");
    await expectAwsError(kms(US).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: EU })), "KMSInvalidStateException");

    await h.admin.advanceClock(PRIMARY_UPDATE_MS);
    await kms(US).send(new DisableKeyCommand({ KeyId: keyId }));
  });

  it("refuses keys that are not multi-Region, replicas, Regions without a replica, and keys not Enabled", async () => {
    const single = await kms(EU).send(new CreateKeyCommand({}));
    await expectAwsError(kms(EU).send(new UpdatePrimaryRegionCommand({ KeyId: single.KeyMetadata!.KeyId!, PrimaryRegion: US })), "UnsupportedOperationException", /not a multi-Region key/);

    const keyId = await keySet();
    await expectAwsError(kms(US).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: AP })), "UnsupportedOperationException", /is a replica key/);
    await expectAwsError(kms(EU).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: EU })), "UnsupportedOperationException", /already the primary/);
    await expectAwsError(kms(EU).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: "ca-central-1" })), "NotFoundException", /ca-central-1/);
    await expectAwsError(kms(EU).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: "not a region" })), "ValidationException");
    await expectAwsError(kms(EU).send(new UpdatePrimaryRegionCommand({ KeyId: `alias/none`, PrimaryRegion: US })), "NotFoundException");

    // Both keys must be Enabled when it starts: a disabled primary or replica is DisabledException.
    await kms(AP).send(new DisableKeyCommand({ KeyId: keyId }));
    await expectAwsError(kms(EU).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: AP })), "DisabledException");
    await kms(EU).send(new DisableKeyCommand({ KeyId: keyId }));
    await expectAwsError(kms(EU).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: US })), "DisabledException");
    // Nothing changed.
    expect((await describe_(US, keyId)).MultiRegionConfiguration?.MultiRegionKeyType).toBe("REPLICA");
  });

  it("refuses a replica still Creating or PendingImport (EXTERNAL), with KMSInvalidStateException", async () => {
    const created = await kms(EU).send(new CreateKeyCommand({ MultiRegion: true, Origin: "EXTERNAL" }));
    const keyId = created.KeyMetadata!.KeyId!;
    await importWithNode(kms(EU), created.KeyMetadata!.Arn!, randomBytes(32));
    await kms(EU).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: US }));
    await expectAwsError(kms(EU).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: US })), "KMSInvalidStateException", /is creating/);
    await h.admin.advanceClock(REPLICA_CREATION_MS);
    await expectAwsError(kms(EU).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: US })), "KMSInvalidStateException", /is pending import/);
  });
});
