import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { listAuditEvents } from "@/lib/audit";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { startEmulator, type RunningEmulator } from "@/lib/emulator";
import { KmsAccess, type KmsTarget } from "@/lib/kms";
import { refreshRegion } from "./refresh";

/**
 * A refresh that fails in Keyport (here the database refuses the keys it read) is Keyport's failure: said
 * with a reference to a log line that carries no query parameters, never as an error AWS returned.
 */

let emulator: RunningEmulator;
let access: KmsAccess;
let target: KmsTarget;

beforeAll(async () => {
  emulator = await startEmulator({ seed: "demo" });
  const account = emulator.accounts.find((a) => a.assumable)!;
  target = { id: "prod", name: account.name, accountId: account.accountId, roleArn: account.roleArn, externalId: account.externalId, regions: emulator.regions };
  access = new KmsAccess({ targets: [target], endpoint: emulator.endpoint, now: Date.now, baseCredentials: emulator.credentials, maxAttempts: 1 });
});
afterAll(async () => {
  access?.destroy();
  await emulator?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(testDrivers())("a refresh that fails in Keyport, on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("is reported as Keyport's internal error with a reference, and logged without the query's parameters", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const database = db.database.db;
    await database.execute(sql.raw("ALTER TABLE inventory_keys ADD CONSTRAINT test_refuse_keys CHECK (false) NOT VALID"));
    const outcome = await refreshRegion({ db: database, kms: access, now: () => new Date(), instanceId: "test", describeConcurrency: 4 }, "prod", emulator.regions[0]!);
    await database.execute(sql.raw("ALTER TABLE inventory_keys DROP CONSTRAINT test_refuse_keys"));

    expect(outcome).toMatchObject({ status: "failed", errorCode: "internal" });
    const message = (outcome as { errorMessage: string }).errorMessage;
    const reference = /\(ref ([0-9a-f]{12})\)/.exec(message)?.[1];
    expect(message).toBe(
      `Keyport hit an internal error (ref ${reference}) while refreshing this account and Region; the keys it had already read are kept. Refresh again; if it happens again, give your administrator the reference.`,
    );
    expect(message).not.toMatch(/AWS returned|Nothing was changed/);

    const log = errors.mock.calls.map((args) => args.map(String).join(" ")).join("\n");
    expect(log).toContain(`[inventory] internal error (ref ${reference}) while refreshing prod ${emulator.regions[0]}`);
    expect(log).toContain("23514");
    expect(log).not.toMatch(/arn:aws:kms|Failed query|params/);

    const { events } = await listAuditEvents(database, { action: "inventory.refresh_failed" }, { limit: 5 });
    expect(events[0]!.details).toMatchObject({ code: "internal", reference, awsError: null });
  });
});
