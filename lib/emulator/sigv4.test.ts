import { DescribeKeyCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, startEmulator, type RunningEmulator } from "./index";
import { assumeRole, expectAwsError, kmsClient, rawCall, stsClient } from "./test-support";

/** Every request is authenticated by recomputing its SigV4 signature. */

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ seed: "demo", admin: true });
});

afterAll(async () => {
  await emulator?.close();
});

const production = () => emulator.accounts.find((a) => a.accountId === "222222222222") as (typeof emulator.accounts)[number];

describe("SigV4 verification", () => {
  it("accepts the SDK's signatures for KMS and STS in any Region", async () => {
    for (const region of ["eu-west-1", "ap-southeast-2", "cn-north-1"]) {
      const kms = kmsClient(emulator, region);
      const page = await kms.send(new ListKeysCommand({}));
      expect(page.Keys).toEqual([]);
      kms.destroy();
    }
    const identity = await stsClient(emulator).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(emulator.baseAccountId);
    expect(identity.Arn).toBe(`arn:aws:iam::${emulator.baseAccountId}:user/keyport-emulator`);
  });

  it("refuses an unknown access key", async () => {
    const credentials = { accessKeyId: "AKIADOESNOTEXIST1234", secretAccessKey: emulator.credentials.secretAccessKey };
    const error = await expectAwsError(kmsClient(emulator, "eu-west-1", credentials).send(new ListKeysCommand({})), "UnrecognizedClientException", /security token included in the request is invalid/);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    await expectAwsError(stsClient(emulator, credentials).send(new GetCallerIdentityCommand({})), "InvalidClientTokenId");
  });

  it("refuses a signature made with the wrong secret", async () => {
    const credentials = { accessKeyId: emulator.credentials.accessKeyId, secretAccessKey: "wrong-secret" };
    await expectAwsError(kmsClient(emulator, "eu-west-1", credentials).send(new ListKeysCommand({})), "InvalidSignatureException", /signature we calculated does not match/);
    await expectAwsError(stsClient(emulator, credentials).send(new GetCallerIdentityCommand({})), "SignatureDoesNotMatch");
  });

  it("refuses a body, target or Region changed after signing", async () => {
    const body = JSON.stringify({ KeyId: "alias/x" });
    const changedBody = await rawCall(emulator, { target: "TrentService.DescribeKey", body, tamper: (r) => void (r.body = JSON.stringify({ KeyId: "alias/y" })) });
    expect(changedBody.json().__type).toBe("InvalidSignatureException");
    const changedTarget = await rawCall(emulator, { target: "TrentService.DescribeKey", body, tamper: (r) => void (r.headers["x-amz-target"] = "TrentService.ListKeys") });
    expect(changedTarget.json().__type).toBe("InvalidSignatureException");
    const changedScope = await rawCall(emulator, {
      target: "TrentService.ListKeys",
      body: "{}",
      tamper: (r) => void (r.headers.authorization = (r.headers.authorization as string).replace("/eu-west-1/", "/us-east-1/")),
    });
    expect(changedScope.json().__type).toBe("InvalidSignatureException");
    const untouched = await rawCall(emulator, { target: "TrentService.ListKeys", body: "{}" });
    expect(untouched.status).toBe(200);
  });

  it("refuses requests signed for another service, unsigned or with a stale date", async () => {
    const otherService = await rawCall(emulator, { target: "TrentService.ListKeys", body: "{}", service: "sts" });
    expect(otherService.json()).toMatchObject({ __type: "InvalidSignatureException", message: expect.stringMatching(/correct service: 'kms'/) });
    const unsigned = await rawCall(emulator, { target: "TrentService.ListKeys", body: "{}", tamper: (r) => void delete r.headers.authorization });
    expect(unsigned.json().__type).toBe("MissingAuthenticationTokenException");
    const stale = await rawCall(emulator, {
      target: "TrentService.ListKeys",
      body: "{}",
      tamper: (r) => void (r.headers["x-amz-date"] = "20200101T000000Z"),
    });
    expect(stale.json().__type).toBe("InvalidSignatureException");
  });

  it("requires session credentials to carry their own session token", async () => {
    const session = await assumeRole(emulator, production());
    await expectAwsError(
      kmsClient(emulator, "eu-west-1", { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(new ListKeysCommand({})),
      "UnrecognizedClientException",
    );
    const other = await assumeRole(emulator, production(), "other-session");
    await expectAwsError(
      kmsClient(emulator, "eu-west-1", { ...session, sessionToken: other.sessionToken }).send(new ListKeysCommand({})),
      "UnrecognizedClientException",
    );
    await expectAwsError(
      kmsClient(emulator, "eu-west-1", { ...emulator.credentials, sessionToken: session.sessionToken }).send(new ListKeysCommand({})),
      "UnrecognizedClientException",
    );
    const works = await kmsClient(emulator, "eu-west-1", session).send(new ListKeysCommand({}));
    expect(works.Keys?.length).toBeGreaterThan(0);
  });

  it("refuses session credentials once they expire by the emulator clock", async () => {
    const admin = adminClient(emulator.endpoint);
    const session = await assumeRole(emulator, production());
    const kms = kmsClient(emulator, "eu-west-1", session);
    await kms.send(new DescribeKeyCommand({ KeyId: "alias/payments/app-data" }));
    try {
      await admin.advanceClock(3601 * 1000);
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: "alias/payments/app-data" })), "ExpiredTokenException", /expired/);
      await expectAwsError(stsClient(emulator, session).send(new GetCallerIdentityCommand({})), "ExpiredToken");
    } finally {
      await admin.setClock(Date.now());
    }
    // Back within the session's lifetime the credentials work again: expiry is judged at each call.
    await kms.send(new DescribeKeyCommand({ KeyId: "alias/payments/app-data" }));
  });
});
