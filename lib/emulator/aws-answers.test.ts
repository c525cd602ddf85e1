import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  VerifyCommand,
  VerifyMacCommand,
  type EncryptionAlgorithmSpec,
  type KMSClient,
  type KeySpec,
  type KeyUsageType,
  type MacAlgorithmSpec,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from "@aws-sdk/client-kms";
import type { DeserializeMiddleware } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AWS_ANSWERS, fillPlaceholders, normaliseMessage, type RecordedAnswer } from "../kms/__fixtures__/aws-answers";
import { DEFAULT_ACCOUNT_ID, startEmulator, type RunningEmulator } from "./index";
import { ON_DEMAND_ROTATION_LIMIT } from "./kms/rotation-operations";
import { importWithNode, kmsClient } from "./test-support";

/**
 * The emulator driven, with the real SDK over HTTP, into each situation in which AWS's answer is on record
 * (lib/kms/__fixtures__/aws-answers.json), and held to it: the same __type, HTTP status and message, with the
 * request's own ARNs in place of the recording's placeholders. The body is read off the wire (the SDK would
 * put "UnknownError" where AWS sends no message).
 */

const REGION = "eu-west-1";
const OTHER_REGION = "us-east-1";

let emulator: RunningEmulator;
let kms: KMSClient;
let kmsElsewhere: KMSClient;
/** The raw body of the last answer `kms` received. */
let lastBody = "";

beforeAll(async () => {
  emulator = await startEmulator();
  kms = kmsClient(emulator, REGION);
  kmsElsewhere = kmsClient(emulator, OTHER_REGION);
  // Right after the SDK's deserializer, so it sees the HTTP answer first: keep a copy of the body.
  const recordBody: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { body?: Readable };
      if (response.body) {
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk as Uint8Array));
        lastBody = Buffer.concat(chunks).toString("utf8");
        response.body = Readable.from([Buffer.from(lastBody)]);
      }
      return result;
  };
  kms.middlewareStack.addRelativeTo(recordBody, { relation: "after", toMiddleware: "deserializerMiddleware", name: "recordAnswerBody" });
});

afterAll(async () => {
  kms?.destroy();
  kmsElsewhere?.destroy();
  await emulator?.close();
});

const arnOf = (keyId: string, region = REGION) => `arn:aws:kms:${region}:${DEFAULT_ACCOUNT_ID}:key/${keyId}`;

async function key(keySpec: KeySpec, keyUsage: KeyUsageType, origin: "AWS_KMS" | "EXTERNAL" = "AWS_KMS", client = kms) {
  const created = await client.send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: keyUsage, Origin: origin }));
  return { arn: created.KeyMetadata?.Arn as string, keyId: created.KeyMetadata?.KeyId as string };
}

type Scenario = () => Promise<{ call: Promise<unknown>; values?: Record<string, string> }>;

const UNKNOWN_ID = "134f2428-cec1-4b25-a1ae-9048164dba47";
const text = (s: string) => Buffer.from(s);

/** How to bring about each recorded situation; the keys are the answers' ids. */
const SCENARIOS: Record<string, Scenario> = {
  "describe-unknown-key-id": async () => ({ call: kms.send(new DescribeKeyCommand({ KeyId: UNKNOWN_ID })), values: { "<key-arn>": arnOf(UNKNOWN_ID) } }),
  "describe-unknown-key-arn": async () => ({ call: kms.send(new DescribeKeyCommand({ KeyId: arnOf(UNKNOWN_ID) })), values: { "<key-arn>": arnOf(UNKNOWN_ID) } }),
  "describe-unknown-multi-region-key-id": async () => {
    const id = "mrk-d3b95762d3b95762d3b95762d3b95762";
    return { call: kms.send(new DescribeKeyCommand({ KeyId: id })), values: { "<key-arn>": arnOf(id) } };
  },
  "describe-key-id-of-another-region": async () => {
    const elsewhere = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS", kmsElsewhere);
    return { call: kms.send(new DescribeKeyCommand({ KeyId: elsewhere.keyId })), values: { "<key-arn>": arnOf(elsewhere.keyId) } };
  },
  "describe-key-arn-of-another-region": async () => {
    const elsewhere = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS", kmsElsewhere);
    return { call: kms.send(new DescribeKeyCommand({ KeyId: elsewhere.arn })), values: { "<key-region>": OTHER_REGION } };
  },
  "describe-malformed-key-id": async () => ({ call: kms.send(new DescribeKeyCommand({ KeyId: "fake-key-id" })) }),
  "describe-key-id-without-dashes": async () => ({ call: kms.send(new DescribeKeyCommand({ KeyId: "134f2428cec14b25a1ae9048164dba47" })) }),
  "describe-malformed-multi-region-key-id": async () => ({ call: kms.send(new DescribeKeyCommand({ KeyId: "mrk-fake-key-id" })) }),
  "generate-mac-malformed-key-id": async () => ({
    call: kms.send(new GenerateMacCommand({ KeyId: "key_id", Message: text("some important message"), MacAlgorithm: "HMAC_SHA_256" })),
  }),
  "generate-mac-with-encryption-key": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    return { call: kms.send(new GenerateMacCommand({ KeyId: k.keyId, Message: text("some important message"), MacAlgorithm: "HMAC_SHA_224" })), values: { "<key-arn>": k.arn } };
  },
  "generate-mac-algorithm-of-another-size": async () => {
    const k = await key("HMAC_224", "GENERATE_VERIFY_MAC");
    return { call: kms.send(new GenerateMacCommand({ KeyId: k.keyId, Message: text("some important message"), MacAlgorithm: "HMAC_SHA_256" })) };
  },
  "generate-mac-unknown-algorithm": async () => {
    const k = await key("HMAC_256", "GENERATE_VERIFY_MAC");
    return { call: kms.send(new GenerateMacCommand({ KeyId: k.keyId, Message: text("some important message"), MacAlgorithm: "INVALID" as MacAlgorithmSpec })) };
  },
  "verify-mac-wrong-message": async () => {
    const k = await key("HMAC_256", "GENERATE_VERIFY_MAC");
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: k.keyId, Message: text("some important message"), MacAlgorithm: "HMAC_SHA_256" }));
    return { call: kms.send(new VerifyMacCommand({ KeyId: k.keyId, Message: text("some different important message"), MacAlgorithm: "HMAC_SHA_256", Mac })) };
  },
  "verify-mac-algorithm-of-another-size": async () => {
    const k = await key("HMAC_256", "GENERATE_VERIFY_MAC");
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: k.keyId, Message: text("some important message"), MacAlgorithm: "HMAC_SHA_256" }));
    return { call: kms.send(new VerifyMacCommand({ KeyId: k.keyId, Message: text("some important message"), MacAlgorithm: "HMAC_SHA_512", Mac })) };
  },
  "verify-mac-unknown-algorithm": async () => {
    const k = await key("HMAC_256", "GENERATE_VERIFY_MAC");
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: k.keyId, Message: text("some important message"), MacAlgorithm: "HMAC_SHA_256" }));
    return { call: kms.send(new VerifyMacCommand({ KeyId: k.keyId, Message: text("some important message"), MacAlgorithm: "INVALID" as MacAlgorithmSpec, Mac })) };
  },
  "verify-bad-signature": async () => {
    const k = await key("RSA_2048", "SIGN_VERIFY");
    const message = text("test message 123!@#");
    const { Signature } = await kms.send(new SignCommand({ KeyId: k.keyId, Message: message, SigningAlgorithm: "RSASSA_PSS_SHA_256" }));
    const tampered = Buffer.from(Signature!);
    tampered[0] = tampered[0]! ^ 0xff;
    return { call: kms.send(new VerifyCommand({ KeyId: k.keyId, Message: message, Signature: tampered, SigningAlgorithm: "RSASSA_PSS_SHA_256" })) };
  },
  "create-hmac-key-without-key-usage": async () => ({ call: kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256" })) }),
  "rotate-on-demand-eleventh": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    for (let i = 0; i < ON_DEMAND_ROTATION_LIMIT; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId: k.keyId }));
    return { call: kms.send(new RotateKeyOnDemandCommand({ KeyId: k.keyId })) };
  },
  "rotate-on-demand-disabled": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    await kms.send(new DisableKeyCommand({ KeyId: k.keyId }));
    return { call: kms.send(new RotateKeyOnDemandCommand({ KeyId: k.keyId })) };
  },
  "encrypt-with-signing-key": async () => {
    const k = await key("RSA_2048", "SIGN_VERIFY");
    return { call: kms.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: text("test message 123!@#") })), values: { "<key-arn>": k.arn } };
  },
  "encrypt-before-import": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "EXTERNAL");
    return { call: kms.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: text("test content 123 !#") })), values: { "<key-arn>": k.arn } };
  },
  "encrypt-after-material-deleted": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "EXTERNAL");
    await importWithNode(kms, k.arn, randomBytes(32));
    await kms.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: text("test content 123 !#") }));
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: k.keyId }));
    return { call: kms.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: text("test content 123 !#") })), values: { "<key-arn>": k.arn } };
  },
  "encrypt-plaintext-too-long": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    return { call: kms.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: Buffer.alloc(4400, "a") })) };
  },
  "encrypt-rsa-2048-oaep-sha-1-too-long": async () => rsaTooLong("RSA_2048", "RSAES_OAEP_SHA_1"),
  "encrypt-rsa-2048-oaep-sha-256-too-long": async () => rsaTooLong("RSA_2048", "RSAES_OAEP_SHA_256"),
  "encrypt-rsa-3072-oaep-sha-1-too-long": async () => rsaTooLong("RSA_3072", "RSAES_OAEP_SHA_1"),
  "encrypt-rsa-3072-oaep-sha-256-too-long": async () => rsaTooLong("RSA_3072", "RSAES_OAEP_SHA_256"),
  "encrypt-rsa-4096-oaep-sha-1-too-long": async () => rsaTooLong("RSA_4096", "RSAES_OAEP_SHA_1"),
  "encrypt-rsa-4096-oaep-sha-256-too-long": async () => rsaTooLong("RSA_4096", "RSAES_OAEP_SHA_256"),
  "decrypt-with-another-key": async () => {
    const encryptionKey = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    const hmacKey = await key("HMAC_224", "GENERATE_VERIFY_MAC");
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: encryptionKey.keyId, Plaintext: text("test message 123!@#") }));
    return { call: kms.send(new DecryptCommand({ CiphertextBlob, KeyId: hmacKey.keyId })) };
  },
  "decrypt-without-encryption-context": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: k.keyId, Plaintext: text("test message 123 !%$@ 1234567890"), EncryptionContext: { "context-key": "context-value" } }),
    );
    return { call: kms.send(new DecryptCommand({ CiphertextBlob, KeyId: k.keyId, EncryptionAlgorithm: "SYMMETRIC_DEFAULT" })) };
  },
  "sign-with-hmac-key": async () => {
    const k = await key("HMAC_224", "GENERATE_VERIFY_MAC");
    return {
      call: kms.send(new SignCommand({ KeyId: k.keyId, Message: text("test message 123!@#"), MessageType: "RAW", SigningAlgorithm: "RSASSA_PSS_SHA_256" })),
      values: { "<key-arn>": k.arn },
    };
  },
  "verify-with-encryption-key": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    return {
      call: kms.send(
        new VerifyCommand({ KeyId: k.keyId, Message: text("test message"), MessageType: "RAW", Signature: text("random text"), SigningAlgorithm: "ECDSA_SHA_256" }),
      ),
      values: { "<key-arn>": k.arn },
    };
  },
  "get-parameters-for-kms-generated-key": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    return {
      call: kms.send(new GetParametersForImportCommand({ KeyId: k.keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_4096" })),
      values: { "<key-arn>": k.arn },
    };
  },
  "import-without-expiration-model": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "EXTERNAL");
    const params = await kms.send(new GetParametersForImportCommand({ KeyId: k.keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }));
    return { call: kms.send(new ImportKeyMaterialCommand({ KeyId: k.keyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: randomBytes(256) })) };
  },
  "create-alias-without-prefix": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    return { call: kms.send(new CreateAliasCommand({ AliasName: "a1b2c3", TargetKeyId: k.keyId })) };
  },
  "schedule-deletion-twice": async () => {
    const k = await key("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.keyId }));
    return { call: kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.keyId })) };
  },
};

async function rsaTooLong(keySpec: KeySpec, algorithm: EncryptionAlgorithmSpec) {
  const k = await key(keySpec, "ENCRYPT_DECRYPT");
  const plaintext = Buffer.from(Buffer.from("more than 500 bytes and less than 4096 bytes".repeat(20)).toString("base64"));
  return { call: kms.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: plaintext, EncryptionAlgorithm: algorithm })) };
}

const drivable = AWS_ANSWERS.filter((a) => a.emulator === undefined);

describe("the emulator answers as AWS did", () => {
  it("has a way into every situation it can be in, and no others", () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(drivable.map((a) => a.id).sort());
  });

  it.each(drivable.map((a) => [a.id, a] as const))("%s", async (id, recorded: RecordedAnswer) => {
    const { call, values = {} } = await (SCENARIOS[id] as Scenario)();
    const error = await call.then(
      () => undefined,
      (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
    );
    expect(error, `${recorded.operation} must fail`).toBeDefined();
    const body = JSON.parse(lastBody) as { __type?: string; message?: string };
    expect(body.__type).toBe(recorded.type);
    expect((error as Error).name).toBe(recorded.type);
    if (recorded.status !== null) expect(error?.$metadata?.httpStatusCode).toBe(recorded.status);
    if (recorded.message !== null) {
      expect(normaliseMessage(body.message ?? "")).toBe(normaliseMessage(fillPlaceholders(recorded.message, values)));
    }
  });
});
