import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
  GetPublicKeyCommand,
  DecryptCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { createPublicKey, verify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, startEmulator, type RunningEmulator } from "./index";
import { assumeRole, createKey, expectAwsError, kmsClient, rawCall } from "./test-support";

/** Key lifecycle, aliases, tags, the wire format, and pagination. */

let emulator: RunningEmulator;
let kms: KMSClient;

beforeAll(async () => {
  emulator = await startEmulator({ admin: true });
  kms = kmsClient(emulator);
});

afterAll(async () => {
  kms?.destroy();
  await emulator?.close();
});

describe("CreateKey and DescribeKey", () => {
  it("creates an EXTERNAL key disabled and pending import, without ExpirationModel or material id", async () => {
    const created = await kms.send(
      new CreateKeyCommand({ Origin: "EXTERNAL", Description: "Card KEK", Tags: [{ TagKey: "team", TagValue: "payments" }], MultiRegion: true }),
    );
    const metadata = created.KeyMetadata;
    expect(metadata).toMatchObject({
      AWSAccountId: emulator.baseAccountId,
      Enabled: false,
      KeyState: "PendingImport",
      Origin: "EXTERNAL",
      KeySpec: "SYMMETRIC_DEFAULT",
      KeyUsage: "ENCRYPT_DECRYPT",
      KeyManager: "CUSTOMER",
      MultiRegion: true,
      Description: "Card KEK",
      EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
    });
    expect(metadata?.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(metadata?.Arn).toBe(`arn:aws:kms:eu-west-1:${emulator.baseAccountId}:key/${metadata?.KeyId}`);
    expect(metadata?.ExpirationModel).toBeUndefined();
    expect(metadata?.CurrentKeyMaterialId).toBeUndefined();
    expect(metadata?.MultiRegionConfiguration?.MultiRegionKeyType).toBe("PRIMARY");
    const tags = await kms.send(new ListResourceTagsCommand({ KeyId: metadata?.KeyId }));
    expect(tags.Tags).toEqual([{ TagKey: "team", TagValue: "payments" }]);
    expect(tags.Truncated).toBe(false);
  });

  it("validates key spec, usage and tags", async () => {
    await expectAwsError(kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256" })), "ValidationException", /You must specify a KeyUsage value/);
    await expectAwsError(kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "ENCRYPT_DECRYPT" })), "ValidationException", /KeyUsage ENCRYPT_DECRYPT is not compatible/);
    await expectAwsError(kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "ENCRYPT_DECRYPT" })), "ValidationException");
    await expectAwsError(kms.send(new CreateKeyCommand({ KeySpec: "SM2", KeyUsage: "SIGN_VERIFY" })), "ValidationException", /China Regions/);
    await expectAwsError(kms.send(new CreateKeyCommand({ KeySpec: "NOPE" as never })), "ValidationException", /enum value set/);
    await expectAwsError(
      kms.send(new CreateKeyCommand({ Tags: [{ TagKey: "a", TagValue: "1" }, { TagKey: "a", TagValue: "2" }] })),
      "TagException",
    );
    await expectAwsError(kms.send(new CreateKeyCommand({ Origin: "AWS_CLOUDHSM" })), "UnsupportedOperationException");
  });

  it("describes a key by id, ARN, alias name and alias ARN", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT", { origin: "AWS_KMS" });
    await kms.send(new CreateAliasCommand({ AliasName: "alias/describe-me", TargetKeyId: key.keyId }));
    const aliasArn = `arn:aws:kms:eu-west-1:${emulator.baseAccountId}:alias/describe-me`;
    for (const reference of [key.keyId, key.arn, "alias/describe-me", aliasArn]) {
      const described = await kms.send(new DescribeKeyCommand({ KeyId: reference }));
      expect(described.KeyMetadata?.Arn).toBe(key.arn);
    }
    await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: "alias/missing" })), "NotFoundException", /alias\/missing is not found/);
    await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: "arn:aws:kms:eu-west-1:1:key" })), "InvalidArnException");
  });

  it("keeps keys per Region: a key of eu-west-1 does not exist in us-east-1", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT", { origin: "AWS_KMS" });
    const us = kmsClient(emulator, "us-east-1");
    await expectAwsError(us.send(new DescribeKeyCommand({ KeyId: key.keyId })), "NotFoundException", /does not exist/);
    await expectAwsError(us.send(new DescribeKeyCommand({ KeyId: key.arn })), "NotFoundException", "Invalid arn eu-west-1");
    us.destroy();
  });
});

describe("key states", () => {
  it("follows Enabled → Disabled → Enabled → PendingDeletion → Disabled", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT", { origin: "AWS_KMS" });
    await kms.send(new DisableKeyCommand({ KeyId: key.arn }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata).toMatchObject({ KeyState: "Disabled", Enabled: false });
    await expectAwsError(kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: Buffer.from("x") })), "DisabledException", `${key.arn} is disabled.`);
    await kms.send(new EnableKeyCommand({ KeyId: key.arn }));
    await expectAwsError(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.arn, PendingWindowInDays: 6 })), "ValidationException", /between 7 and 30/);
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.arn, PendingWindowInDays: 7 }));
    expect(scheduled).toMatchObject({ KeyId: key.arn, KeyState: "PendingDeletion", PendingWindowInDays: 7 });
    const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata;
    expect(metadata?.DeletionDate?.getTime()).toBe(scheduled.DeletionDate?.getTime());
    await expectAwsError(kms.send(new EnableKeyCommand({ KeyId: key.arn })), "KMSInvalidStateException", `${key.arn} is pending deletion.`);
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.arn }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata?.KeyState).toBe("Disabled");
    await expectAwsError(kms.send(new CancelKeyDeletionCommand({ KeyId: key.arn })), "KMSInvalidStateException");
  });

  it("refuses Enable/DisableKey on a key pending import, and cancels deletion back to PendingImport", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    await expectAwsError(kms.send(new EnableKeyCommand({ KeyId: key.arn })), "KMSInvalidStateException", /pending import/);
    await expectAwsError(kms.send(new DisableKeyCommand({ KeyId: key.arn })), "KMSInvalidStateException", /pending import/);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.arn }));
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.arn }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.arn }))).KeyMetadata?.KeyState).toBe("PendingImport");
  });

  it("deletes a key at its deletion date (by the emulator clock), with its aliases", async () => {
    const admin = adminClient(emulator.endpoint);
    const key = await createKey(kms, "SYMMETRIC_DEFAULT", { origin: "AWS_KMS" });
    await kms.send(new CreateAliasCommand({ AliasName: "alias/doomed", TargetKeyId: key.arn }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.arn, PendingWindowInDays: 7 }));
    try {
      await admin.advanceClock(8 * 24 * 60 * 60 * 1000);
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: key.arn })), "NotFoundException", /does not exist/);
      const aliases = await kms.send(new ListAliasesCommand({}));
      expect(aliases.Aliases?.map((a) => a.AliasName)).not.toContain("alias/doomed");
    } finally {
      await admin.setClock(Date.now());
    }
  });
});

describe("aliases", () => {
  it("validates names and refuses duplicates", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT", { origin: "AWS_KMS" });
    await kms.send(new CreateAliasCommand({ AliasName: "alias/unique", TargetKeyId: key.arn }));
    await expectAwsError(kms.send(new CreateAliasCommand({ AliasName: "alias/unique", TargetKeyId: key.arn })), "AlreadyExistsException", /already exists/);
    // AWS refuses a name without the prefix as a ValidationException (lib/kms/__fixtures__/aws-answers.json).
    await expectAwsError(kms.send(new CreateAliasCommand({ AliasName: "unique", TargetKeyId: key.arn })), "ValidationException", /must start with the prefix "alias\/"/);
    await expectAwsError(kms.send(new CreateAliasCommand({ AliasName: "alias/aws/mine", TargetKeyId: key.arn })), "InvalidAliasNameException");
    await expectAwsError(kms.send(new CreateAliasCommand({ AliasName: "alias/bad name", TargetKeyId: key.arn })), "ValidationException");
    const filtered = await kms.send(new ListAliasesCommand({ KeyId: key.arn }));
    expect(filtered.Aliases?.map((a) => [a.AliasName, a.TargetKeyId])).toEqual([["alias/unique", key.keyId]]);
    expect(filtered.Aliases?.[0]?.AliasArn).toBe(`arn:aws:kms:eu-west-1:${emulator.baseAccountId}:alias/unique`);
    expect(filtered.Aliases?.[0]?.CreationDate).toBeInstanceOf(Date);
  });
});

describe("cryptographic operations of KMS-generated keys", () => {
  it("signs with RSA and ECC keys verifiably and refuses tampered signatures", async () => {
    for (const [keySpec, algorithm, digest] of [
      ["RSA_2048", "RSASSA_PKCS1_V1_5_SHA_384", "sha384"],
      ["ECC_NIST_P384", "ECDSA_SHA_384", "sha384"],
    ] as const) {
      const key = await createKey(kms, keySpec, { origin: "AWS_KMS" });
      const message = Buffer.from("release 1.2.3");
      const signature = Buffer.from((await kms.send(new SignCommand({ KeyId: key.arn, Message: message, SigningAlgorithm: algorithm }))).Signature as Uint8Array);
      const publicKey = createPublicKey({ key: Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: key.arn }))).PublicKey as Uint8Array), format: "der", type: "spki" });
      expect(verify(digest, message, publicKey, signature)).toBe(true);
      expect((await kms.send(new VerifyCommand({ KeyId: key.arn, Message: message, Signature: signature, SigningAlgorithm: algorithm }))).SignatureValid).toBe(true);
      await expectAwsError(
        kms.send(new VerifyCommand({ KeyId: key.arn, Message: Buffer.from("release 1.2.4"), Signature: signature, SigningAlgorithm: algorithm })),
        "KMSInvalidSignatureException",
      );
      await expectAwsError(kms.send(new SignCommand({ KeyId: key.arn, Message: message, SigningAlgorithm: "ECDSA_SHA_512" })), "InvalidKeyUsageException");
    }
  });

  it("binds symmetric ciphertext to its encryption context and key", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT", { origin: "AWS_KMS" });
    const other = await createKey(kms, "SYMMETRIC_DEFAULT", { origin: "AWS_KMS" });
    const encrypted = await kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: Buffer.from("secret"), EncryptionContext: { purpose: "test", b: "2" } }));
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { b: "2", purpose: "test" } }));
    expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe("secret");
    await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { purpose: "other", b: "2" } })), "InvalidCiphertextException");
    await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, KeyId: other.arn })), "IncorrectKeyException");
    await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from("not a ciphertext at all") })), "InvalidCiphertextException");
  });
});

describe("wire format", () => {
  it("answers AWS JSON 1.1 with epoch-second timestamps, base64 blobs and a request id", async () => {
    const response = await rawCall(emulator, { target: "TrentService.CreateKey", body: JSON.stringify({ Origin: "EXTERNAL" }) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    const metadata = response.json().KeyMetadata as Record<string, unknown>;
    expect(typeof metadata.CreationDate).toBe("number");
    expect(Math.abs((metadata.CreationDate as number) - Date.now() / 1000)).toBeLessThan(60);

    const params = await rawCall(emulator, {
      target: "TrentService.GetParametersForImport",
      body: JSON.stringify({ KeyId: metadata.Arn, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }),
    });
    const body = params.json();
    expect(typeof body.ParametersValidTo).toBe("number");
    expect(body.PublicKey).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(createPublicKey({ key: Buffer.from(body.PublicKey as string, "base64"), format: "der", type: "spki" }).asymmetricKeyType).toBe("rsa");
  });

  it("answers errors with __type and message and the status KMS uses", async () => {
    const notFound = await rawCall(emulator, { target: "TrentService.DescribeKey", body: JSON.stringify({ KeyId: "nope" }) });
    expect(notFound.status).toBe(400);
    expect(notFound.json()).toEqual({ __type: "NotFoundException", message: "Invalid keyId 'nope'" });
    const missing = await rawCall(emulator, { target: "TrentService.DescribeKey", body: "{}" });
    expect(missing.json()).toMatchObject({ __type: "ValidationException", message: expect.stringMatching(/Value null at 'keyId'/) });
    const badJson = await rawCall(emulator, { target: "TrentService.DescribeKey", body: "{" });
    expect(badJson.json().__type).toBe("SerializationException");
    const unknown = await rawCall(emulator, { target: "TrentService.MakeCoffee", body: "{}" });
    expect(unknown.status).toBe(400);
    expect(unknown.json().__type).toBe("UnknownOperationException");
  });
});

describe("pagination over 2,500 keys", () => {
  let scale: RunningEmulator;
  let production: KMSClient;

  beforeAll(async () => {
    // scale:10000 spreads keys round-robin over 2 accounts × 2 Regions: 2,500 per account and Region.
    scale = await startEmulator({ seed: "scale:10000" });
    const account = scale.accounts.find((a) => a.accountId === "222222222222");
    if (!account) throw new Error("scale seed has no production account");
    production = kmsClient(scale, "eu-west-1", await assumeRole(scale, account));
  });

  afterAll(async () => {
    production?.destroy();
    await scale?.close();
  });

  it("ListKeys pages 1000 + 1000 + 500 with Truncated and NextMarker", async () => {
    const pages: number[] = [];
    const ids = new Set<string>();
    let marker: string | undefined;
    do {
      const page = await production.send(new ListKeysCommand({ Limit: 1000, Marker: marker }));
      pages.push(page.Keys?.length ?? 0);
      for (const key of page.Keys ?? []) ids.add(key.KeyId as string);
      expect(page.Truncated).toBe(page.NextMarker !== undefined);
      marker = page.NextMarker;
    } while (marker);
    expect(pages).toEqual([1000, 1000, 500]);
    expect(ids.size).toBe(2500);
    expect((await production.send(new ListKeysCommand({}))).Keys).toHaveLength(100);
  });

  it("ListAliases pages at most 100 and finds every alias once", async () => {
    const names = new Set<string>();
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await production.send(new ListAliasesCommand({ Limit: 100, Marker: marker }));
      expect(page.Aliases?.length).toBeLessThanOrEqual(100);
      for (const alias of page.Aliases ?? []) names.add(alias.AliasName as string);
      marker = page.NextMarker;
      pages += 1;
    } while (marker);
    // Four of every five scale keys have an alias.
    expect(names.size).toBe(2000);
    expect(pages).toBe(20);
  });

  it("refuses limits out of range and markers from another list", async () => {
    await expectAwsError(production.send(new ListKeysCommand({ Limit: 1001 })), "ValidationException", /less than or equal to 1000/);
    await expectAwsError(production.send(new ListKeysCommand({ Limit: 0 })), "ValidationException");
    await expectAwsError(production.send(new ListAliasesCommand({ Limit: 101 })), "ValidationException", /less than or equal to 100/);
    const keysPage = await production.send(new ListKeysCommand({ Limit: 10 }));
    await expectAwsError(production.send(new ListAliasesCommand({ Marker: keysPage.NextMarker })), "InvalidMarkerException");
    await expectAwsError(production.send(new ListKeysCommand({ Marker: "garbage" })), "InvalidMarkerException");
  });
});
