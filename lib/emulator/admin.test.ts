import { CreateKeyCommand, DescribeKeyCommand, ListKeysCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminClient, startEmulator, type AdminClient, type RunningEmulator } from "./index";
import { expectAwsError, kmsClient } from "./test-support";

/** The test controls behind --admin: throttling, fault injection, latency, call counts, clock, reset. */

let emulator: RunningEmulator;
let admin: AdminClient;
let kms: KMSClient;

beforeAll(async () => {
  emulator = await startEmulator({ admin: true });
  admin = adminClient(emulator.endpoint);
  kms = kmsClient(emulator);
});

afterAll(async () => {
  kms?.destroy();
  await emulator?.close();
});

afterEach(async () => {
  await admin.reset();
});

describe("admin controls", () => {
  it("throttles one operation at N requests/s with KMS's ThrottlingException", async () => {
    await admin.throttle("ListKeys", 2);
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => kms.send(new ListKeysCommand({}))));
    const throttled = outcomes.filter((o) => o.status === "rejected").map((o) => (o as PromiseRejectedResult).reason as Error & { $metadata: { httpStatusCode: number } });
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(2);
    expect(throttled).toHaveLength(4);
    expect(throttled[0]?.name).toBe("ThrottlingException");
    expect(throttled[0]?.message).toBe("You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.");
    expect(throttled[0]?.$metadata.httpStatusCode).toBe(400);
    // Other operations are not limited, and the limit refills with time.
    await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: "alias/none" })), "NotFoundException");
    await new Promise((resolve) => setTimeout(resolve, 600));
    await kms.send(new ListKeysCommand({}));
    await admin.throttle("ListKeys", null);
    await Promise.all(Array.from({ length: 5 }, () => kms.send(new ListKeysCommand({}))));
  });

  it("injects DependencyTimeoutException (503) and KMSInternalException (500)", async () => {
    await admin.injectFaults({ type: "DependencyTimeoutException", rate: 1, operation: "ListKeys" });
    const timeout = await expectAwsError(kms.send(new ListKeysCommand({})), "DependencyTimeoutException");
    expect(timeout.$metadata?.httpStatusCode).toBe(503);
    await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: "alias/none" })), "NotFoundException");

    await admin.injectFaults({ type: "DependencyTimeoutException", rate: 0, operation: "ListKeys" });
    await admin.injectFaults({ type: "KMSInternalException", rate: 1 });
    const internal = await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: "alias/none" })), "KMSInternalException");
    expect(internal.$metadata?.httpStatusCode).toBe(500);

    // A partial rate fails some calls and not others (200 draws at 0.5: all-or-nothing is ~1e-60).
    await admin.injectFaults({ type: "KMSInternalException", rate: 0.5 });
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => kms.send(new ListKeysCommand({}))));
    const failed = outcomes.filter((o) => o.status === "rejected").length;
    expect(failed).toBeGreaterThan(40);
    expect(failed).toBeLessThan(160);
  });

  it("the SDK's retries recover from an injected fault rate", async () => {
    await admin.injectFaults({ type: "DependencyTimeoutException", rate: 0.3 });
    const retrying = new KMSClient({ endpoint: emulator.endpoint, region: "eu-west-1", credentials: emulator.credentials, maxAttempts: 10 });
    const before = (await admin.getCallCounts()).ListKeys ?? 0;
    for (let i = 0; i < 10; i += 1) await retrying.send(new ListKeysCommand({}));
    const attempts = ((await admin.getCallCounts()).ListKeys ?? 0) - before;
    expect(attempts).toBeGreaterThanOrEqual(10);
    retrying.destroy();
  });

  it("adds latency to every AWS call", async () => {
    await kms.send(new ListKeysCommand({}));
    await admin.setLatency(250);
    const started = performance.now();
    await kms.send(new ListKeysCommand({}));
    expect(performance.now() - started).toBeGreaterThanOrEqual(245);
    await admin.setLatency(0);
    const fast = performance.now();
    await kms.send(new ListKeysCommand({}));
    expect(performance.now() - fast).toBeLessThan(200);
  });

  it("counts calls per operation and resets the counts", async () => {
    await Promise.all([kms.send(new ListKeysCommand({})), kms.send(new ListKeysCommand({})), kms.send(new DescribeKeyCommand({ KeyId: "alias/x" })).catch(() => undefined)]);
    expect(await admin.getCallCounts()).toEqual({ DescribeKey: 1, ListKeys: 2 });
    await admin.reset();
    expect(await admin.getCallCounts()).toEqual({});
  });

  it("moves the clock and reports it", async () => {
    const target = new Date("2031-05-01T12:00:00Z");
    const set = await admin.setClock(target);
    expect(Math.abs(Date.parse(set.now) - target.getTime())).toBeLessThan(1000);
    const advanced = await admin.advanceClock(60_000);
    expect(Math.abs(Date.parse(advanced.now) - target.getTime() - 60_000)).toBeLessThan(1000);
    await admin.reset({ state: true });
    expect(Math.abs(Date.parse((await admin.status()).now) - Date.now())).toBeLessThan(1000);
  });

  it("resets state when asked", async () => {
    await kms.send(new CreateKeyCommand({}));
    expect((await kms.send(new ListKeysCommand({}))).Keys?.length).toBeGreaterThan(0);
    await admin.reset({ state: true });
    expect((await kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
  });

  it("with when: after, carries the call out and then answers with the fault", async () => {
    await admin.injectFaults({ type: "DependencyTimeoutException", rate: 1, operation: "CreateKey", when: "after" });
    await expectAwsError(kms.send(new CreateKeyCommand({ Description: "applied, answer lost" })), "DependencyTimeoutException");
    await admin.injectFaults({ type: "DependencyTimeoutException", rate: 0, operation: "CreateKey", when: "after" });
    const keys = (await kms.send(new ListKeysCommand({}))).Keys ?? [];
    const described = await Promise.all(keys.map((k) => kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }))));
    expect(described.filter((d) => d.KeyMetadata?.Description === "applied, answer lost")).toHaveLength(1);
    const bad = await fetch(`${emulator.endpoint}/__admin/faults`, {
      method: "POST",
      body: JSON.stringify({ type: "KMSInternalException", rate: 1, when: "later" }),
    });
    expect(bad.status).toBe(400);
  });

  it("with latency when: after, carries the call out before the answer is held back", async () => {
    await admin.setLatency(600, "CreateKey", "after");
    const pending = kms.send(new CreateKeyCommand({ Description: "held answer" }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The key exists while its CreateKey has not been answered yet.
    const keys = (await kms.send(new ListKeysCommand({}))).Keys ?? [];
    const described = await Promise.all(keys.map((k) => kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }))));
    expect(described.filter((d) => d.KeyMetadata?.Description === "held answer")).toHaveLength(1);
    await expect(pending).resolves.toMatchObject({ KeyMetadata: { Description: "held answer" } });
  });

  it("refuses STS calls with AccessDenied while that fault is injected", async () => {
    const sts = new STSClient({ endpoint: emulator.endpoint, region: "eu-west-1", credentials: emulator.credentials, maxAttempts: 1 });
    await admin.injectFaults({ type: "AccessDenied", rate: 1, operation: "GetCallerIdentity" });
    await expectAwsError(sts.send(new GetCallerIdentityCommand({})), "AccessDenied");
    await admin.injectFaults({ type: "AccessDenied", rate: 0, operation: "GetCallerIdentity" });
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: emulator.baseAccountId });
    sts.destroy();
  });

  it("validates admin requests", async () => {
    const response = await fetch(`${emulator.endpoint}/__admin/faults`, { method: "POST", body: JSON.stringify({ type: "Nope", rate: 2 }) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/type|rate/);
  });
});

describe("without --admin", () => {
  it("has no admin routes", async () => {
    const plain = await startEmulator({});
    try {
      const response = await fetch(`${plain.endpoint}/__admin/status`);
      expect(response.status).toBe(404);
      await expect(adminClient(plain.endpoint).advanceClock(1000)).rejects.toThrow(/404/);
    } finally {
      await plain.close();
    }
  });
});
