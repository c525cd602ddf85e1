import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/audit";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { adminClient, startEmulator, type RunningEmulator } from "@/lib/emulator";
import { KmsAccess, type KmsTarget } from "@/lib/kms";
import * as queries from "./queries";
import { refreshAll, refreshRegion, type RefreshDeps } from "./refresh";

/**
 * The inventory against the emulator over real HTTP with the real SDK, and the real database:
 * assumed roles per account, ExternalId, a refused role beside working ones, throttling, leases.
 */

let emulator: RunningEmulator;
const accesses: KmsAccess[] = [];

function kmsAccess(targets: KmsTarget[], em: RunningEmulator, maxAttempts = 3): KmsAccess {
  const access = new KmsAccess({ targets, endpoint: em.endpoint, now: Date.now, baseCredentials: em.credentials, maxAttempts });
  accesses.push(access);
  return access;
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: "demo", admin: true });
});
afterAll(async () => {
  // Idle keep-alive sockets would otherwise hold the emulator's close() open.
  for (const access of accesses) access.destroy();
  await emulator?.close();
});

function targetsFrom(em: RunningEmulator): KmsTarget[] {
  return em.accounts.map((a, i) => ({
    id: `t${i}-${a.assumable ? "ok" : "refused"}`,
    name: a.name,
    accountId: a.accountId,
    roleArn: a.roleArn,
    ...(a.externalId ? { externalId: a.externalId } : {}),
    regions: em.regions,
  }));
}

function depsFor(db: TestDatabase, targets: KmsTarget[], instanceId = "test-instance"): RefreshDeps {
  return {
    db: db.database.db,
    kms: kmsAccess(targets, emulator),
    now: () => new Date(),
    instanceId,
    describeConcurrency: 8,
  };
}

describe.each(testDrivers())("inventory refresh on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("lists EXTERNAL keys of every assumable account and Region, and shows the refused one's error", async () => {
    const targets = targetsFrom(emulator);
    expect(targets.some((t) => t.id.endsWith("refused"))).toBe(true);
    const outcomes = await refreshAll(depsFor(db, targets));

    for (const outcome of outcomes) {
      if (outcome.targetId.endsWith("refused")) {
        expect(outcome).toMatchObject({ status: "failed", errorCode: "access_denied" });
      } else {
        expect(outcome.status).toBe("succeeded");
      }
    }
    const { rows, total } = await queries.listExternalKeys(db.database.db, {}, { sort: "keyId", direction: "asc", page: 1, pageSize: 500 });
    expect(total).toBeGreaterThan(5);
    expect(rows.every((r) => !r.targetId.endsWith("refused"))).toBe(true);
    // Every state and key-spec family of the demo seed arrives, with aliases joined.
    const states = new Set(rows.map((r) => r.keyState));
    for (const s of ["PendingImport", "Enabled", "Disabled", "PendingDeletion"]) expect(states).toContain(s);
    expect(rows.some((r) => r.aliases.length > 0)).toBe(true);
    expect(rows.some((r) => r.keySpec?.startsWith("RSA_"))).toBe(true);
    expect(rows.some((r) => r.keySpec?.startsWith("HMAC_"))).toBe(true);
    expect(rows.some((r) => r.keySpec === "SYMMETRIC_DEFAULT")).toBe(true);
    // Keys of the two accounts stay apart: each row's ARN names its own target's account.
    for (const r of rows) expect(r.arn).toContain(`:${r.accountId}:key/`);

    const statuses = await queries.refreshStatuses(db.database.db);
    const refused = statuses.filter((s) => s.targetId.endsWith("refused"));
    expect(refused).toHaveLength(emulator.regions.length);
    for (const s of refused) {
      expect(s.status).toBe("failed");
      expect(s.errorMessage).toMatch(/could not assume the target's IAM role/);
      expect(s.lastSuccessAt).toBeNull();
    }
    const audit = await listAuditEvents(db.database.db, { action: "inventory.refresh_failed" }, { limit: 10 });
    expect(audit.events.length).toBe(emulator.regions.length);
  });

  it("describes only EXTERNAL keys on a warm refresh", async () => {
    const admin = adminClient(emulator.endpoint);
    const targets = targetsFrom(emulator).filter((t) => t.id.endsWith("ok"));
    await admin.reset();
    const outcomes = await refreshAll(depsFor(db, targets));
    const calls = await admin.getCallCounts();
    const external = outcomes.reduce((n, o) => n + (o.status === "succeeded" ? o.externalKeys : 0), 0);
    const listed = outcomes.reduce((n, o) => n + (o.status === "succeeded" ? o.progress.keysListed : 0), 0);
    expect(listed).toBeGreaterThan(external);
    expect(calls.DescribeKey).toBe(external);
  });

  it("refuses a target whose ExternalId is wrong, and still lists the others", async () => {
    const [withExternalId] = targetsFrom(emulator).filter((t) => t.externalId);
    expect(withExternalId).toBeDefined();
    const wrong = { ...withExternalId!, id: "wrong-external-id", externalId: "not-the-right-one" };
    const deps = depsFor(db, [wrong]);
    const outcome = await refreshRegion(deps, wrong.id, wrong.regions[0]!);
    expect(outcome).toMatchObject({ status: "failed", errorCode: "access_denied" });
  });

  it("lets only one instance refresh a target/Region at a time", async () => {
    const [target] = targetsFrom(emulator).filter((t) => t.id.endsWith("ok"));
    const region = target!.regions[0]!;
    const [a, b] = await Promise.all([
      refreshRegion(depsFor(db, [target!], "instance-a"), target!.id, region),
      refreshRegion(depsFor(db, [target!], "instance-b"), target!.id, region),
    ]);
    expect([a.status, b.status].sort()).toEqual(["skipped", "succeeded"]);
  });
});

describe("inventory refresh under throttling", () => {
  let scaled: RunningEmulator;
  let db: TestDatabase;
  beforeAll(async () => {
    scaled = await startEmulator({ seed: "scale:600:50", admin: true });
    db = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    for (const access of accesses) access.destroy();
    await scaled?.close();
    await db?.cleanup();
  });

  it("finishes without a failure while DescribeKey is throttled", async () => {
    const admin = adminClient(scaled.endpoint);
    // Below the burst each Region needs (150 keys), so refusals are certain; KMS itself allows 2,000/s.
    await admin.throttle("DescribeKey", 40);
    const targets = scaled.accounts
      .filter((a) => a.assumable)
      .map((a, i) => ({ id: `s${i}`, name: a.name, accountId: a.accountId, roleArn: a.roleArn, externalId: a.externalId, regions: scaled.regions }));
    const deps: RefreshDeps = {
      db: db.database.db,
      kms: kmsAccess(targets, scaled, 2),
      now: () => new Date(),
      instanceId: "throttled",
      describeConcurrency: 32,
    };
    const outcomes = await refreshAll(deps);
    expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => "succeeded"));
    const calls = await admin.getCallCounts();
    const described = outcomes.reduce((n, o) => n + (o.status === "succeeded" ? o.progress.keysDescribed : 0), 0);
    expect(described).toBe(600);
    // Some calls were refused and retried: more DescribeKey calls than keys.
    expect(calls.DescribeKey).toBeGreaterThan(600);
  });
});
