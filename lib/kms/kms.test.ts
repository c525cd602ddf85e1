import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { adminClient, startEmulator, type RunningEmulator } from "@/lib/emulator";
import { KmsAccess, type KmsTarget } from "./clients";
import { KmsError } from "./errors";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { importWithNode } from "@/lib/emulator/test-support";
import { listKeysPage } from "./operations";

/** lib/kms against the emulator over HTTP: assumed roles, the shared credential cache, expired sessions. */

let emulator: RunningEmulator;
let target: KmsTarget;
const accesses: KmsAccess[] = [];

function access(now: () => number = Date.now): KmsAccess {
  const a = new KmsAccess({ targets: [target], endpoint: emulator.endpoint, now, baseCredentials: emulator.credentials, maxAttempts: 2 });
  accesses.push(a);
  return a;
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: "demo", admin: true });
  const account = emulator.accounts.find((a) => a.assumable && a.externalId)!;
  target = { id: "prod", name: account.name, accountId: account.accountId, roleArn: account.roleArn, externalId: account.externalId, regions: emulator.regions };
});
afterAll(async () => {
  for (const a of accesses) a.destroy();
  await emulator?.close();
});

describe("KmsAccess", () => {
  it("shares one AssumeRole among concurrent callers and reuses it until it nears expiry", async () => {
    const admin = adminClient(emulator.endpoint);
    await admin.reset();
    const a = access();
    const client = a.kms("prod", emulator.regions[0]!, { kind: "service" });
    await Promise.all(Array.from({ length: 10 }, () => listKeysPage(client, undefined, 10)));
    await listKeysPage(client, undefined, 10);
    const calls = await admin.getCallCounts();
    expect(calls.AssumeRole).toBe(1);
    expect(calls.ListKeys).toBe(11);
  });

  it("assumes the role separately for each person, naming them in the session", async () => {
    const a = access();
    const casey = await a.roles.get(target, { kind: "person", id: "demo-casey", email: "casey.custodian@demo.keyport" });
    const service = await a.roles.get(target, { kind: "service" });
    expect(casey.accessKeyId).not.toBe(service.accessKeyId);
    expect(casey.assumedRoleArn).toMatch(/assumed-role\/KeyportImportRole\/casey\.custodian@demo\.keyport$/);
    expect(service.assumedRoleArn).toMatch(/assumed-role\/KeyportImportRole\/keyport-inventory$/);
  });

  it("refuses a wrong ExternalId with a sentence that says what to check", async () => {
    const a = new KmsAccess({
      targets: [{ ...target, externalId: "wrong-external-id" }],
      endpoint: emulator.endpoint,
      now: Date.now,
      baseCredentials: emulator.credentials,
      maxAttempts: 1,
    });
    accesses.push(a);
    const error = await listKeysPage(a.kms("prod", emulator.regions[0]!, { kind: "service" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsError);
    expect((error as KmsError).code).toBe("access_denied");
    expect((error as KmsError).message).toMatch(/trust policy/);
  });

  it("assumes the role again when AWS says the session expired, instead of failing", async () => {
    const admin = adminClient(emulator.endpoint);
    const a = access();
    const client = a.kms("prod", emulator.regions[0]!, { kind: "service" });
    await listKeysPage(client, undefined, 10);
    await admin.reset();
    // Two hours on for AWS (sessions last one); Keyport's own clock still believes the session is fresh.
    await admin.advanceClock(2 * 3600_000);
    try {
      const page = await listKeysPage(client, undefined, 10);
      expect(page.keys.length).toBeGreaterThan(0);
      const calls = await admin.getCallCounts();
      expect(calls.AssumeRole).toBe(1);
      expect(calls.ListKeys).toBe(2);
    } finally {
      await admin.reset({ state: true });
    }
  });
});

describe("getKmsAccess", () => {
  // Next.js loads lib/kms once per server bundle: every copy must hand out the same clients and credential cache.
  it("is one KmsAccess (one client set, one credential cache) however many copies of lib/kms are loaded", async () => {
    vi.stubEnv("KEYPORT_MODE", "demo");
    // Demo mode refuses a PostgreSQL URL; CI exports one for the database tests.
    vi.stubEnv("DATABASE_URL", "");
    vi.stubEnv("KEYPORT_MIGRATION_DATABASE_URL", "");
    vi.stubEnv("KEYPORT_TARGETS", JSON.stringify([{ ...target, regions: emulator.regions }]));
    vi.stubEnv("KEYPORT_AWS_ENDPOINT", emulator.endpoint);
    try {
      vi.resetModules();
      const first = (await import("./index")).getKmsAccess();
      vi.resetModules();
      const second = (await import("./index")).getKmsAccess();
      accesses.push(first);
      expect(second).toBe(first);
      expect(second.roles).toBe(first.roles);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("does not let the SDK send ImportKeyMaterial again after an answer that may follow its effect", async () => {
    const admin = adminClient(emulator.endpoint);
    const a = new KmsAccess({ targets: [target], endpoint: emulator.endpoint, now: Date.now, baseCredentials: emulator.credentials, maxAttempts: 4 });
    accesses.push(a);
    const client = a.kms("prod", emulator.regions[0]!, { kind: "service" });
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
    await admin.reset();
    await admin.injectFaults({ type: "DependencyTimeoutException", rate: 1, operation: "ImportKeyMaterial", when: "after" });
    const error = await importWithNode(client, KeyMetadata!.Arn!, Buffer.alloc(32, 7)).catch((e: unknown) => e);
    await admin.injectFaults({ type: "DependencyTimeoutException", rate: 0, operation: "ImportKeyMaterial", when: "after" });
    expect(error).toMatchObject({ code: "dependency_timeout" });
    expect((await admin.getCallCounts()).ImportKeyMaterial).toBe(1);

    // Throttling proves nothing was applied: that the SDK still retries.
    await admin.reset();
    await admin.throttle("ListKeys", 1);
    await Promise.all([listKeysPage(client), listKeysPage(client), listKeysPage(client)]);
    expect((await admin.getCallCounts()).ListKeys).toBeGreaterThan(3);
    await admin.throttle("ListKeys", null);
  });
});

