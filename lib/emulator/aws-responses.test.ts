import { generateKeyPairSync, randomBytes } from "node:crypto";
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  type KMSClient,
  type KeySpec,
  type KeyUsageType,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, DEFAULT_ACCOUNT_ID, startEmulator, type RunningEmulator } from "./index";
import { REPLICA_CREATION_MS } from "./kms/multi-region-operations";
import { expectAwsError, importWithNode, kmsClient } from "./test-support";

/**
 * Successful answers as AWS gave them (recorded against AWS in LocalStack's KMS snapshots, test_kms.py:
 * test_replicate_key, test_import_key_symmetric and test_import_key_asymmetric), field by field; the error
 * answers are in aws-answers.test.ts.
 */

const PRIMARY_REGION = "eu-west-1";
const REPLICA_REGION = "ap-southeast-1";

let emulator: RunningEmulator;
let kms: KMSClient;
let replicaKms: KMSClient;

beforeAll(async () => {
  emulator = await startEmulator({ admin: true });
  kms = kmsClient(emulator, PRIMARY_REGION);
  replicaKms = kmsClient(emulator, REPLICA_REGION);
});

afterAll(async () => {
  kms?.destroy();
  replicaKms?.destroy();
  await emulator?.close();
});

const arnIn = (region: string, keyId: string) => `arn:aws:kms:${region}:${DEFAULT_ACCOUNT_ID}:key/${keyId}`;

async function createKey(input: { KeySpec?: KeySpec; KeyUsage?: KeyUsageType; Origin?: "AWS_KMS" | "EXTERNAL"; MultiRegion?: boolean; Description?: string }) {
  const created = await kms.send(new CreateKeyCommand(input));
  return { keyId: created.KeyMetadata!.KeyId!, arn: created.KeyMetadata!.Arn! };
}

describe("ReplicateKey, as AWS answered it", () => {
  it("answers with the replica Creating, disabled, without the primary's description, and naming itself as a replica", async () => {
    const primary = await createKey({ MultiRegion: true, Description: "test replicated key" });
    const replicaArn = arnIn(REPLICA_REGION, primary.keyId);
    // Before it is replicated, the key id names nothing in the other Region.
    await expectAwsError(replicaKms.send(new DescribeKeyCommand({ KeyId: primary.keyId })), "NotFoundException", `Key '${replicaArn}' does not exist`);

    const answer = await kms.send(new ReplicateKeyCommand({ KeyId: primary.keyId, ReplicaRegion: REPLICA_REGION }));
    const configuration = {
      MultiRegionKeyType: "REPLICA",
      PrimaryKey: { Arn: primary.arn, Region: PRIMARY_REGION },
      ReplicaKeys: [{ Arn: replicaArn, Region: REPLICA_REGION }],
    };
    expect(answer.ReplicaKeyMetadata).toMatchObject({
      AWSAccountId: DEFAULT_ACCOUNT_ID,
      Arn: replicaArn,
      KeyId: primary.keyId,
      Description: "",
      Enabled: false,
      KeyState: "Creating",
      KeySpec: "SYMMETRIC_DEFAULT",
      CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
      KeyUsage: "ENCRYPT_DECRYPT",
      KeyManager: "CUSTOMER",
      EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
      MultiRegion: true,
      MultiRegionConfiguration: configuration,
      Origin: "AWS_KMS",
    });
    expect(answer.ReplicaKeyMetadata?.CreationDate).toBeInstanceOf(Date);
    expect(JSON.parse(answer.ReplicaPolicy!)).toEqual({
      Version: "2012-10-17",
      Id: "key-default-1",
      Statement: [
        { Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${DEFAULT_ACCOUNT_ID}:root` }, Action: "kms:*", Resource: "*" },
      ],
    });

    const replica = await replicaKms.send(new DescribeKeyCommand({ KeyId: primary.keyId }));
    expect(replica.KeyMetadata).toMatchObject({ KeyState: "Creating", Enabled: false, Description: "", MultiRegionConfiguration: configuration });
    const fromPrimary = await kms.send(new DescribeKeyCommand({ KeyId: primary.keyId }));
    expect(fromPrimary.KeyMetadata).toMatchObject({
      Description: "test replicated key",
      Enabled: true,
      KeyState: "Enabled",
      MultiRegionConfiguration: { ...configuration, MultiRegionKeyType: "PRIMARY" },
    });
  });

  it("finishes a KMS key's replica Enabled and interoperable, and an EXTERNAL primary's replica waiting for its own import", async () => {
    const generated = await createKey({ MultiRegion: true });
    const external = await createKey({ MultiRegion: true, Origin: "EXTERNAL" });
    await kms.send(new ReplicateKeyCommand({ KeyId: generated.keyId, ReplicaRegion: REPLICA_REGION }));
    await kms.send(new ReplicateKeyCommand({ KeyId: external.keyId, ReplicaRegion: REPLICA_REGION }));
    // While it is created the replica takes no key material.
    await expectAwsError(
      replicaKms.send(new GetParametersForImportCommand({ KeyId: external.keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" })),
      "KMSInvalidStateException",
    );

    await adminClient(emulator.endpoint).advanceClock(REPLICA_CREATION_MS);
    const finished = await replicaKms.send(new DescribeKeyCommand({ KeyId: generated.keyId }));
    expect(finished.KeyMetadata).toMatchObject({ KeyState: "Enabled", Enabled: true });
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: generated.keyId, Plaintext: Buffer.from("from the primary") }));
    const decrypted = await replicaKms.send(new DecryptCommand({ KeyId: generated.keyId, CiphertextBlob }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe("from the primary");

    const waiting = await replicaKms.send(new DescribeKeyCommand({ KeyId: external.keyId }));
    expect(waiting.KeyMetadata).toMatchObject({ KeyState: "PendingImport", Enabled: false, Origin: "EXTERNAL" });
    expect(waiting.KeyMetadata?.ExpirationModel).toBeUndefined();
  });

  it("refuses a key that is not multi-Region, a replica, and a Region that already has the key", async () => {
    const single = await createKey({});
    await expectAwsError(kms.send(new ReplicateKeyCommand({ KeyId: single.keyId, ReplicaRegion: REPLICA_REGION })), "UnsupportedOperationException");
    const primary = await createKey({ MultiRegion: true });
    await kms.send(new ReplicateKeyCommand({ KeyId: primary.keyId, ReplicaRegion: REPLICA_REGION }));
    await expectAwsError(kms.send(new ReplicateKeyCommand({ KeyId: primary.keyId, ReplicaRegion: REPLICA_REGION })), "AlreadyExistsException");
    await expectAwsError(kms.send(new ReplicateKeyCommand({ KeyId: primary.keyId, ReplicaRegion: PRIMARY_REGION })), "AlreadyExistsException");
    await expectAwsError(replicaKms.send(new ReplicateKeyCommand({ KeyId: primary.keyId, ReplicaRegion: "us-west-2" })), "UnsupportedOperationException");
  });
});

describe("DescribeKey after DeleteImportedKeyMaterial, as AWS answered it", () => {
  const pkcs8 = (type: "rsa" | "ec") =>
    (type === "rsa" ? generateKeyPairSync("rsa", { modulusLength: 2048 }) : generateKeyPairSync("ec", { namedCurve: "prime256v1" })).privateKey.export({
      type: "pkcs8",
      format: "der",
    });
  const cases: Array<[KeySpec, KeyUsageType, () => Buffer]> = [
    ["SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", () => randomBytes(32)],
    ["RSA_2048", "ENCRYPT_DECRYPT", () => pkcs8("rsa")],
    ["ECC_NIST_P256", "SIGN_VERIFY", () => pkcs8("ec")],
    ["HMAC_256", "GENERATE_VERIFY_MAC", () => randomBytes(32)],
  ];

  it.each(cases)("%s: no ExpirationModel once the material is gone, the key back in PendingImport", async (keySpec, keyUsage, material) => {
    const key = await createKey({ KeySpec: keySpec, KeyUsage: keyUsage, Origin: "EXTERNAL" });
    await importWithNode(kms, key.arn, material());
    const imported = await kms.send(new DescribeKeyCommand({ KeyId: key.keyId }));
    expect(imported.KeyMetadata).toMatchObject({ KeyState: "Enabled", Enabled: true, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" });

    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.keyId }));
    const after = (await kms.send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata!;
    expect(after).toMatchObject({ KeyState: "PendingImport", Enabled: false, Origin: "EXTERNAL" });
    expect(after.ExpirationModel).toBeUndefined();
    expect(after.ValidTo).toBeUndefined();
    // A symmetric key keeps naming its current material (to reimport the same), the others have none.
    if (keySpec === "SYMMETRIC_DEFAULT") expect(after.CurrentKeyMaterialId).toBe(imported.KeyMetadata?.CurrentKeyMaterialId);
    else expect(after.CurrentKeyMaterialId).toBeUndefined();
  });
});

describe("RotateKeyOnDemand, as AWS answered it", () => {
  it("answers with the key ARN, whichever way the key was named", async () => {
    const key = await createKey({});
    const answer = await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId }));
    expect(answer.KeyId).toBe(key.arn);
  });
});
