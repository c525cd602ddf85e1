import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListGrantsCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_ANSWERS, AWS_ANSWERS_SOURCE, fillPlaceholders, type RecordedAnswer } from "./__fixtures__/aws-answers";
import { KmsAccess } from "./clients";
import { KmsError, toKmsError } from "./errors";

/**
 * Every AWS error answer on record (lib/kms/__fixtures__/aws-answers.json) sent, as AWS sent it, to the real
 * SDK client Keyport uses (KmsAccess, with its middleware), and the error it throws mapped by toKmsError: the
 * mapping is checked against AWS's own names and messages, not the emulator's.
 */

const KEY_ARN = "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const PLACEHOLDERS = { "<key-arn>": KEY_ARN, "<key-region>": "us-east-1" };

let server: Server;
let access: KmsAccess;
let client: KMSClient;
let answer: { status: number; body: string };

function assumeRoleXml(): string {
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>
<AccessKeyId>ASIATESTTESTTEST</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken>
<Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/R/keyport</Arn>
<AssumedRoleId>AROATEST:keyport</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>
<ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></AssumeRoleResponse>`;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      if (!String(request.headers["x-amz-target"] ?? "").startsWith("TrentService.")) {
        response.writeHead(200, { "content-type": "text/xml" }).end(assumeRoleXml());
        return;
      }
      response.writeHead(answer.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "req-recorded" }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  access = new KmsAccess({
    targets: [{ id: "t", name: "Test", accountId: "222222222222", roleArn: "arn:aws:iam::222222222222:role/R", regions: ["eu-west-1"] }],
    endpoint: `http://127.0.0.1:${port}`,
    now: Date.now,
    maxAttempts: 1,
    baseCredentials: { accessKeyId: "AKIATEST", secretAccessKey: "secret" },
  });
  client = access.kms("t", "eu-west-1", { kind: "service" });
});

afterAll(async () => {
  access?.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const blob = new Uint8Array(32);

/** The operation each answer was recorded for, with any input: the answer does not depend on it here. */
const SEND: Record<string, () => Promise<unknown>> = {
  DescribeKey: () => client.send(new DescribeKeyCommand({ KeyId: KEY_ARN })),
  GenerateMac: () => client.send(new GenerateMacCommand({ KeyId: KEY_ARN, Message: blob, MacAlgorithm: "HMAC_SHA_256" })),
  VerifyMac: () => client.send(new VerifyMacCommand({ KeyId: KEY_ARN, Message: blob, Mac: blob, MacAlgorithm: "HMAC_SHA_256" })),
  Encrypt: () => client.send(new EncryptCommand({ KeyId: KEY_ARN, Plaintext: blob })),
  Decrypt: () => client.send(new DecryptCommand({ KeyId: KEY_ARN, CiphertextBlob: blob })),
  Sign: () => client.send(new SignCommand({ KeyId: KEY_ARN, Message: blob, SigningAlgorithm: "ECDSA_SHA_256" })),
  Verify: () => client.send(new VerifyCommand({ KeyId: KEY_ARN, Message: blob, Signature: blob, SigningAlgorithm: "ECDSA_SHA_256" })),
  GetParametersForImport: () =>
    client.send(new GetParametersForImportCommand({ KeyId: KEY_ARN, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" })),
  ImportKeyMaterial: () => client.send(new ImportKeyMaterialCommand({ KeyId: KEY_ARN, ImportToken: blob, EncryptedKeyMaterial: blob })),
  CreateAlias: () => client.send(new CreateAliasCommand({ AliasName: "unprefixed", TargetKeyId: KEY_ARN })),
  ScheduleKeyDeletion: () => client.send(new ScheduleKeyDeletionCommand({ KeyId: KEY_ARN })),
  GenerateDataKey: () => client.send(new GenerateDataKeyCommand({ KeyId: KEY_ARN, KeySpec: "AES_256" })),
  ListGrants: () => client.send(new ListGrantsCommand({ KeyId: KEY_ARN })),
  CreateKey: () => client.send(new CreateKeyCommand({ KeySpec: "HMAC_256" })),
  RotateKeyOnDemand: () => client.send(new RotateKeyOnDemandCommand({ KeyId: KEY_ARN })),
};

/** AWS JSON 1.1 as AWS sent it: no message member where the recording has none. */
function bodyOf(recorded: RecordedAnswer): string {
  const message = recorded.message ? fillPlaceholders(recorded.message, PLACEHOLDERS) : "";
  return JSON.stringify(message ? { __type: recorded.type, message } : { __type: recorded.type });
}

async function mapped(recorded: RecordedAnswer): Promise<KmsError> {
  answer = { status: recorded.status ?? 400, body: bodyOf(recorded) };
  const send = SEND[recorded.operation];
  if (!send) throw new Error(`no call for ${recorded.operation}`);
  const error = await send().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the SDK must throw").toBeDefined();
  return toKmsError(error);
}

describe("AWS's recorded error answers, as Keyport tells them", () => {
  it("names its public source", () => {
    expect(AWS_ANSWERS_SOURCE.name).toBe("LocalStack's AWS-validated KMS snapshots");
    expect(AWS_ANSWERS_SOURCE.repository).toBe("localstack/localstack");
    expect(AWS_ANSWERS.length).toBeGreaterThan(20);
  });

  it.each(AWS_ANSWERS.map((a) => [a.id, a] as const))("%s", async (_id, recorded) => {
    const e = await mapped(recorded);
    expect(e.code).toBe(recorded.keyport);
    expect(e.details.awsName).toBe(recorded.type);
    expect(e.details.operation).toBe(recorded.operation);
    expect(e.details.requestId).toBe("req-recorded");
    // A sentence of Keyport's, not AWS's message passed through (validation keeps AWS's, which names the field).
    expect(e.message.length).toBeGreaterThan(30);
    if (recorded.keyport !== "validation" && recorded.message) expect(e.message).not.toContain(fillPlaceholders(recorded.message, PLACEHOLDERS));
  });

  it("says what to do for the answers whose wording Keyport reads", async () => {
    const byId = (id: string) => AWS_ANSWERS.find((a) => a.id === id) as RecordedAnswer;
    expect((await mapped(byId("encrypt-before-import"))).message).toMatch(/pending import.*Import key material/);
    expect((await mapped(byId("describe-key-arn-of-another-region"))).message).toMatch(/another Region/);
    expect((await mapped(byId("decrypt-without-encryption-context"))).message).toMatch(/could not decrypt the ciphertext/);
    expect((await mapped(byId("decrypt-with-another-key"))).message).toMatch(/not encrypted under this key/);
    // A per-key limit for the key's lifetime: waiting or a quota increase will not lift it.
    expect((await mapped(byId("rotate-on-demand-eleventh"))).message).toMatch(/10 on-demand rotations.*cannot rotate again/);
    expect((await mapped(byId("verify-bad-signature"))).message).toMatch(/signature does not match/);
  });
});
