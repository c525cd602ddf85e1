import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateMacCommand, GetPublicKeyCommand, ListAliasesCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { AssumeRoleCommand, GetCallerIdentityCommand, type AssumeRoleCommandInput } from "@aws-sdk/client-sts";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "./index";
import { assumeRole, expectAwsError, kmsClient, stsClient } from "./test-support";

/** STS AssumeRole trust and validation, GetCallerIdentity, account isolation in KMS, and the demo seed. */

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ seed: "demo" });
});

afterAll(async () => {
  await emulator?.close();
});

const account = (id: string) => emulator.accounts.find((a) => a.accountId === id) as (typeof emulator.accounts)[number];
const PRODUCTION = "222222222222";
const STAGING = "333333333333";
const REFUSING = "444444444444";

function assume(input: Partial<AssumeRoleCommandInput>, credentials = emulator.credentials) {
  return stsClient(emulator, credentials).send(
    new AssumeRoleCommand({ RoleArn: account(STAGING).roleArn, RoleSessionName: "alice", ...input } as AssumeRoleCommandInput),
  );
}

describe("AssumeRole", () => {
  it("issues temporary credentials that act in the role's account", async () => {
    const before = Date.now();
    const result = await assume({ RoleArn: account(PRODUCTION).roleArn, ExternalId: account(PRODUCTION).externalId, RoleSessionName: "alice@example.com", SourceIdentity: "alice@example.com", DurationSeconds: 900 });
    expect(result.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(result.Credentials?.SessionToken?.length).toBeGreaterThan(100);
    const expiresIn = (result.Credentials?.Expiration as Date).getTime() - before;
    expect(expiresIn).toBeGreaterThan(895_000);
    expect(expiresIn).toBeLessThan(905_000);
    expect(result.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${PRODUCTION}:assumed-role/KeyportImportRole/alice@example.com`);
    expect(result.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[0-9A-Z]+:alice@example.com$/);
    expect(result.SourceIdentity).toBe("alice@example.com");
    const identity = await stsClient(emulator, {
      accessKeyId: result.Credentials?.AccessKeyId as string,
      secretAccessKey: result.Credentials?.SecretAccessKey as string,
      sessionToken: result.Credentials?.SessionToken as string,
    }).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: PRODUCTION, Arn: result.AssumedRoleUser?.Arn, UserId: result.AssumedRoleUser?.AssumedRoleId });
  });

  it("checks the ExternalId where the role requires one", async () => {
    const roleArn = account(PRODUCTION).roleArn;
    await expectAwsError(assume({ RoleArn: roleArn }), "AccessDenied", /is not authorized to perform: sts:AssumeRole/);
    await expectAwsError(assume({ RoleArn: roleArn, ExternalId: "wrong-external-id" }), "AccessDenied");
    // A role without an ExternalId condition ignores one that is sent.
    await assume({ ExternalId: "anything-goes" });
  });

  it("refuses roles whose trust does not admit the caller, and unknown roles", async () => {
    const error = await expectAwsError(assume({ RoleArn: account(REFUSING).roleArn }), "AccessDenied");
    expect(error.$metadata?.httpStatusCode).toBe(403);
    await expectAwsError(assume({ RoleArn: "arn:aws:iam::222222222222:role/NoSuchRole" }), "AccessDenied");
    // Production's session may not assume production's role again (its trust admits only the base account)…
    const session = await assumeRole(emulator, account(PRODUCTION));
    await expectAwsError(assume({ RoleArn: account(PRODUCTION).roleArn, ExternalId: account(PRODUCTION).externalId }, session), "AccessDenied");
    // …but staging trusts production, so chaining into staging works.
    const chained = await assume({ RoleArn: account(STAGING).roleArn }, session);
    expect(chained.AssumedRoleUser?.Arn).toContain(`${STAGING}:assumed-role`);
  });

  it.each([
    [{ RoleSessionName: "a" }, /roleSessionName.*greater than or equal to 2/],
    [{ RoleSessionName: "x".repeat(65) }, /roleSessionName.*less than or equal to 64/],
    [{ RoleSessionName: "alice smith" }, /roleSessionName.*pattern/],
    [{ RoleSessionName: undefined }, /Value null at 'roleSessionName'/],
    // "aws:" is reserved; the colon already fails the pattern.
    [{ SourceIdentity: "aws:alice" }, /sourceIdentity.*pattern/],
    [{ SourceIdentity: "alice/smith" }, /sourceIdentity.*pattern/],
    [{ SourceIdentity: "a" }, /sourceIdentity/],
    [{ DurationSeconds: 899 }, /durationSeconds.*greater than or equal to 900/],
    [{ DurationSeconds: 43201 }, /durationSeconds.*less than or equal to 43200/],
    [{ ExternalId: "x" }, /externalId/],
    [{ RoleArn: "not-an-arn-but-long-enough" }, /roleArn/],
  ] as const)("validates %o", async (input, message) => {
    await expectAwsError(assume(input as Partial<AssumeRoleCommandInput>), "ValidationError", message);
  });

  it("allows up to 12 hours, but only 1 hour when chaining from a role session", async () => {
    await assume({ DurationSeconds: 43200 });
    const session = await assumeRole(emulator, account(PRODUCTION));
    await expectAwsError(assume({ DurationSeconds: 3601 }, session), "ValidationError", /1 hour session limit/);
    await assume({ DurationSeconds: 3600 }, session);
  });

  it("carries a source identity through role chaining and refuses to change it", async () => {
    const first = await assume({ RoleArn: account(PRODUCTION).roleArn, ExternalId: account(PRODUCTION).externalId, SourceIdentity: "alice" });
    const session = {
      accessKeyId: first.Credentials?.AccessKeyId as string,
      secretAccessKey: first.Credentials?.SecretAccessKey as string,
      sessionToken: first.Credentials?.SessionToken as string,
    };
    expect((await assume({}, session)).SourceIdentity).toBe("alice");
    await expectAwsError(assume({ SourceIdentity: "mallory" }, session), "AccessDenied", /source identity/);
  });

  it("works with fromTemporaryCredentials, as Keyport uses it", async () => {
    const kms = new KMSClient({
      endpoint: emulator.endpoint,
      region: "us-east-1",
      maxAttempts: 1,
      credentials: fromTemporaryCredentials({
        masterCredentials: emulator.credentials,
        params: { RoleArn: account(STAGING).roleArn, RoleSessionName: "keyport-inventory" },
        clientConfig: { endpoint: emulator.endpoint, region: "us-east-1" },
      }),
    });
    const page = await kms.send(new ListKeysCommand({}));
    expect(page.Keys?.length).toBeGreaterThan(0);
    kms.destroy();
  });
});

describe("account isolation", () => {
  it("shows a role session only its own account's keys", async () => {
    const production = kmsClient(emulator, "eu-west-1", await assumeRole(emulator, account(PRODUCTION)));
    const staging = kmsClient(emulator, "eu-west-1", await assumeRole(emulator, account(STAGING)));
    const productionKeys = (await production.send(new ListKeysCommand({ Limit: 1000 }))).Keys ?? [];
    const stagingKeys = (await staging.send(new ListKeysCommand({ Limit: 1000 }))).Keys ?? [];
    expect(productionKeys.length).toBeGreaterThan(0);
    expect(productionKeys.every((k) => k.KeyArn?.includes(`:${PRODUCTION}:`))).toBe(true);
    expect(stagingKeys.every((k) => k.KeyArn?.includes(`:${STAGING}:`))).toBe(true);
    const stagingKey = stagingKeys[0] as { KeyId: string; KeyArn: string };
    await expectAwsError(production.send(new DescribeKeyCommand({ KeyId: stagingKey.KeyId })), "NotFoundException");
    await expectAwsError(production.send(new DescribeKeyCommand({ KeyId: stagingKey.KeyArn })), "AccessDeniedException", /not authorized to perform: kms:DescribeKey/);
    const productionAliases = (await production.send(new ListAliasesCommand({}))).Aliases ?? [];
    expect(productionAliases.some((a) => a.AliasName === "alias/payments/pin-block-kek")).toBe(true);
    expect(productionAliases.some((a) => a.AliasName?.startsWith("alias/data/"))).toBe(false);
    // The base account is empty in the demo seed and creates keys of its own.
    const base = kmsClient(emulator);
    expect((await base.send(new ListKeysCommand({}))).Keys).toEqual([]);
    const created = await base.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
    expect(created.KeyMetadata?.AWSAccountId).toBe(emulator.baseAccountId);
    for (const client of [production, staging, base]) client.destroy();
  });
});

describe("demo seed", () => {
  it("has EXTERNAL keys in every state and key-spec family, among KMS-generated keys, mostly aliased", async () => {
    const states = new Set<string>();
    const families = new Set<string>();
    let expiringSoon = 0;
    let neverExpiring = 0;
    let generated = 0;
    let keys = 0;
    let aliased = 0;
    for (const accountId of [PRODUCTION, STAGING]) {
      const credentials = await assumeRole(emulator, account(accountId));
      for (const region of emulator.regions) {
        const kms = kmsClient(emulator, region, credentials);
        const aliasTargets = new Set(((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).map((a) => a.TargetKeyId));
        for (const entry of (await kms.send(new ListKeysCommand({}))).Keys ?? []) {
          const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: entry.KeyId }))).KeyMetadata;
          keys += 1;
          if (aliasTargets.has(entry.KeyId)) aliased += 1;
          if (metadata?.Origin !== "EXTERNAL") {
            generated += 1;
            continue;
          }
          states.add(metadata.KeyState as string);
          families.add((metadata.KeySpec as string).replace(/_.*/, ""));
          if (metadata.KeyState === "Enabled" && metadata.ValidTo && metadata.ValidTo.getTime() - Date.now() < 7 * 24 * 3600 * 1000) expiringSoon += 1;
          if (metadata.KeyState === "Enabled" && metadata.ExpirationModel === "KEY_MATERIAL_DOES_NOT_EXPIRE") neverExpiring += 1;
        }
        kms.destroy();
      }
    }
    expect([...states].sort()).toEqual(["Disabled", "Enabled", "PendingDeletion", "PendingImport"]);
    expect([...families].sort()).toEqual(["ECC", "HMAC", "RSA", "SYMMETRIC"]);
    expect(expiringSoon).toBeGreaterThanOrEqual(2);
    expect(neverExpiring).toBeGreaterThanOrEqual(2);
    expect(generated).toBeGreaterThanOrEqual(4);
    expect(aliased / keys).toBeGreaterThan(0.6);
  });

  it("gives imported keys real material", async () => {
    const kms = kmsClient(emulator, "eu-west-1", await assumeRole(emulator, account(PRODUCTION)));
    const mac = await kms.send(new GenerateMacCommand({ KeyId: "alias/payments/webhook-signing", MacAlgorithm: "HMAC_SHA_256", Message: Buffer.from("m") }));
    expect(mac.Mac?.length).toBe(32);
    await expectAwsError(kms.send(new GetPublicKeyCommand({ KeyId: "alias/payments/legacy-receipt-signing" })), "DisabledException");
    const encrypted = await kms.send(new EncryptCommand({ KeyId: "alias/payments/pin-block-kek", Plaintext: Buffer.from("pin") }));
    expect(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }))).Plaintext as Uint8Array).toString()).toBe("pin");
    kms.destroy();
  });
  it("has a multi-Region imported key: the primary and one replica hold the same material, another awaits its import", async () => {
    const credentials = await assumeRole(emulator, account(PRODUCTION));
    const [eu, us, central] = ["eu-west-1", "us-east-1", "eu-central-1"].map((region) => kmsClient(emulator, region, credentials)) as [KMSClient, KMSClient, KMSClient];
    expect(emulator.regions).toEqual(["eu-west-1", "us-east-1", "eu-central-1"]);
    const alias = "alias/keyport/payments-mrk";
    const [primary, replica, waiting] = await Promise.all([eu, us, central].map(async (kms) => (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata!));
    expect(primary!.KeyId).toMatch(/^mrk-/);
    expect(primary).toMatchObject({ Origin: "EXTERNAL", KeySpec: "SYMMETRIC_DEFAULT", KeyState: "Enabled", MultiRegion: true });
    expect(primary!.MultiRegionConfiguration?.MultiRegionKeyType).toBe("PRIMARY");
    expect(primary!.MultiRegionConfiguration?.ReplicaKeys?.map((k) => k.Region).sort()).toEqual(["eu-central-1", "us-east-1"]);
    expect(replica).toMatchObject({ KeyId: primary!.KeyId, KeyState: "Enabled", CurrentKeyMaterialId: primary!.CurrentKeyMaterialId });
    expect(replica!.MultiRegionConfiguration?.MultiRegionKeyType).toBe("REPLICA");
    expect(replica!.ValidTo!.getTime()).toBeLessThan(primary!.ValidTo!.getTime());
    expect(waiting).toMatchObject({ KeyId: primary!.KeyId, KeyState: "PendingImport" });
    expect(waiting!.ExpirationModel).toBeUndefined();

    const encrypted = await eu.send(new EncryptCommand({ KeyId: alias, Plaintext: Buffer.from("mrk") }));
    expect(Buffer.from((await us.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }))).Plaintext as Uint8Array).toString()).toBe("mrk");
    await expectAwsError(central.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob })), "KMSInvalidStateException");
    for (const kms of [eu, us, central]) kms.destroy();
  });
});
