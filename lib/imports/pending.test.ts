import { parse } from "csv-parse/sync";
import { eq as eqSql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tables } from "@/lib/db";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { listExternalKeys, upsertDescribed } from "@/lib/inventory/queries";
import { AWAITING_MATERIAL, describedKey } from "@/lib/inventory/testing";
import type { KeyMetadata } from "@/lib/kms/operations";
import { pendingExportRows, pendingKeys, pendingRequests, totalFromCounts } from "./pending";
import { pendingExportQuerySchema, toCsv } from "./pending-export";
import { keyRefId } from "@/lib/inventory/material-summary";
import { openRequestByKey, pageImportRequests, requestCounts } from "./read";
import { pendingCounts } from "./pending-queries";
import type { RequestState } from "./states";

/** The pending view's counts, filtered pages and filtered exports, on a real database. */

const NOW = new Date("2026-12-01T12:00:00Z");
const DAY = 24 * 3600_000;
const days = (n: number) => new Date(NOW.getTime() + n * DAY);
const WINDOW = { now: NOW, warningDays: 30 };
const targets = new Map([
  ["prod", { name: "Production", accountId: "222222222222" }],
  ["staging", { name: "Staging", accountId: "333333333333" }],
]);

let serial = 0;
function key(region: string, alias: string, over: Partial<KeyMetadata> = {}): KeyMetadata & { alias: string } {
  serial += 1;
  return { alias, ...describedKey(region, `00000000-0000-4000-8000-${String(serial).padStart(12, "0")}`, over) };
}

describe.each(testDrivers())("the pending view's counts, filters and exports on %s", (driver) => {
  let db: TestDatabase;
  const prodWaiting = [key("eu-west-1", "alias/pay/wait-1", AWAITING_MATERIAL), key("eu-west-1", "alias/pay/wait-2", AWAITING_MATERIAL), key("eu-west-1", "alias/pay/wait-3", AWAITING_MATERIAL)];
  const prodExpiring = [
    key("eu-west-1", "alias/pay/gone", { validTo: days(-1) }),
    key("eu-west-1", "alias/pay/soon", { validTo: days(3) }),
    key("eu-west-1", "alias/pay/later", { validTo: days(20) }),
    key("eu-west-1", "alias/pay/far", { validTo: days(60) }),
  ];
  const stagingKeys = [key("us-east-1", "alias/stage/wait-a", AWAITING_MATERIAL), key("us-east-1", "alias/stage/wait-b", AWAITING_MATERIAL), key("us-east-1", "alias/stage/soon", { validTo: days(5) })];
  // Not EXTERNAL: never pending here.
  const native = key("eu-west-1", "alias/native", { ...AWAITING_MATERIAL, origin: "AWS_KMS" });

  async function request(k: KeyMetadata, targetId: string, state: RequestState, opts: { kind?: "import" | "rotate"; validTo?: Date; keyMaterialId?: string } = {}) {
    const [row] = await db.database.db
      .insert(tables.importRequests)
      .values({
        kind: opts.kind ?? "import",
        targetId,
        region: k.arn.split(":")[3]!,
        keyArn: k.arn,
        keyId: k.keyId,
        keySpec: "SYMMETRIC_DEFAULT",
        state,
        justification: "Test request for the pending view",
        requestedBySubject: "demo-casey",
        createdAt: days(-2),
        updatedAt: days(-1),
        keyMaterialId: opts.keyMaterialId ?? null,
      })
      .returning({ id: tables.importRequests.id });
    if (opts.validTo) {
      await db.database.db.insert(tables.parameterSets).values({
        requestId: row!.id,
        wrappingAlgorithm: "RSAES_OAEP_SHA_256",
        wrappingKeySpec: "RSA_2048",
        publicKey: Buffer.from("pk"),
        publicKeySha256: "0".repeat(64),
        importTokenCiphertext: Buffer.from("token"),
        importTokenSha256: "1".repeat(64),
        parametersValidTo: opts.validTo,
        issuedBySubject: "demo-casey",
        issuedAt: days(-2),
      });
    }
    return row!.id;
  }

  const ids: Record<string, string> = {};
  beforeAll(async () => {
    db = await createTestDatabase(driver);
    const d = db.database.db;
    const withAlias = (keys: Array<KeyMetadata & { alias: string }>) => keys.map(({ alias: _alias, ...k }) => k);
    await upsertDescribed(d, "prod", "eu-west-1", withAlias([...prodWaiting, ...prodExpiring, native]), NOW);
    await upsertDescribed(d, "staging", "us-east-1", withAlias(stagingKeys), NOW);
    for (const k of [...prodWaiting, ...prodExpiring, ...stagingKeys, native]) {
      await d.update(tables.inventoryKeys).set({ aliases: [k.alias] }).where(eqKey(k.keyId));
    }
    ids.outstanding = await request(prodWaiting[0]!, "prod", "parameters_issued", { validTo: days(1) });
    // Its token passed: expired before the sweep records it.
    ids.passed = await request(prodWaiting[1]!, "prod", "parameters_issued", { validTo: days(-0.5) });
    ids.awaiting = await request(stagingKeys[0]!, "staging", "awaiting_approval", { validTo: days(1) });
    // A rotation whose material is in KMS cannot expire: still awaiting, though its token passed.
    ids.rotation = await request(prodExpiring[1]!, "prod", "awaiting_approval", { kind: "rotate", validTo: days(-1), keyMaterialId: "b".repeat(64) });
    ids.failed = await request(stagingKeys[1]!, "staging", "failed", { validTo: days(1) });
    await request(prodWaiting[2]!, "prod", "cancelled");
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  function eqKey(keyId: string) {
    return eqSql(tables.inventoryKeys.keyId, keyId);
  }

  it("counts what is pending per account and Region, by list and days-to-expiry bucket", async () => {
    const scopes = await pendingCounts(db.database.db, { ...WINDOW, drift: true });
    expect(scopes).toEqual([
      { targetId: "prod", region: "eu-west-1", counts: { "keys-waiting": 3, expired: 1, "7d": 1, window: 1, outstanding: 1, attention: 1, awaiting: 1 } },
      { targetId: "staging", region: "us-east-1", counts: { "keys-waiting": 2, "7d": 1, awaiting: 1, attention: 1 } },
    ]);
  });

  it("gives each list the same total from the grouped counts as the list's own count", async () => {
    const scopes = await pendingCounts(db.database.db, { ...WINDOW, drift: false });
    const buckets = ["expired", "7d", "window"] as const;
    const page = { ...WINDOW, limit: 1, offset: 0 };
    for (const filter of [{}, { target: "prod" }, { region: "us-east-1" }, { target: "staging", region: "us-east-1" }, { expiry: "7d" as const }, { expiry: "expired" as const, target: "prod" }]) {
      for (const list of ["keys-waiting", "expiring"] as const) {
        const counted = (await pendingKeys(db.database.db, list, filter, page)).total;
        expect(totalFromCounts(scopes, list, filter, [...buckets]), `${list} ${JSON.stringify(filter)}`).toBe(counted);
      }
      for (const list of ["outstanding", "awaiting", "attention"] as const) {
        const counted = (await pendingRequests(db.database.db, list, filter, page)).total;
        expect(totalFromCounts(scopes, list, filter, [...buckets]), `${list} ${JSON.stringify(filter)}`).toBe(counted);
      }
    }
    // A text search is not grouped: the list counts it itself.
    expect(totalFromCounts(scopes, "keys-waiting", { q: "wait" }, [...buckets])).toBeUndefined();
    // A known total reads the page only.
    expect(await pendingKeys(db.database.db, "keys-waiting", {}, { ...page, total: 5 })).toMatchObject({ total: 5 });
  });

  it("pages keys with the filters, and tells how many match", async () => {
    const page = { ...WINDOW, limit: 2, offset: 0 };
    const all = await pendingKeys(db.database.db, "keys-waiting", {}, page);
    expect(all.total).toBe(5);
    expect(all.rows).toHaveLength(2);
    const next = await pendingKeys(db.database.db, "keys-waiting", {}, { ...page, offset: 2 });
    expect(next.rows.map((r) => r.aliases[0])).not.toContain(all.rows[0]!.aliases[0]);

    expect((await pendingKeys(db.database.db, "keys-waiting", { target: "staging" }, page)).total).toBe(2);
    expect((await pendingKeys(db.database.db, "keys-waiting", { region: "eu-west-1", q: "WAIT-2" }, page)).rows.map((r) => r.aliases[0])).toEqual(["alias/pay/wait-2"]);
    expect((await pendingKeys(db.database.db, "keys-waiting", { q: "100%_" }, page)).total).toBe(0);

    const expiring = async (expiry?: "expired" | "7d" | "30d" | "window") =>
      (await pendingKeys(db.database.db, "expiring", { expiry }, { ...WINDOW, limit: 50, offset: 0 })).rows.map((r) => r.aliases[0]);
    expect(await expiring()).toEqual(["alias/pay/gone", "alias/pay/soon", "alias/stage/soon", "alias/pay/later"]);
    expect(await expiring("expired")).toEqual(["alias/pay/gone"]);
    expect(await expiring("7d")).toEqual(["alias/pay/soon", "alias/stage/soon"]);
    expect(await expiring("window")).toEqual(["alias/pay/later"]);
    // A 30-day window has no separate 30-day bucket: the whole window.
    expect(await expiring("30d")).toHaveLength(4);
  });

  it("lists open requests by what they wait for, in their effective state, filtered", async () => {
    const page = { ...WINDOW, limit: 50, offset: 0 };
    const group = async (g: "outstanding" | "awaiting" | "attention", filter = {}) => (await pendingRequests(db.database.db, g, filter, page)).rows.map((r) => `${r.id}:${r.state}`).sort();
    expect(await group("outstanding")).toEqual([`${ids.outstanding}:parameters_issued`]);
    expect(await group("awaiting")).toEqual([`${ids.awaiting}:awaiting_approval`, `${ids.rotation}:awaiting_approval`].sort());
    expect(await group("attention")).toEqual([`${ids.failed}:failed`, `${ids.passed}:expired`].sort());
    expect(await group("attention", { target: "prod" })).toEqual([`${ids.passed}:expired`]);
    expect(await group("awaiting", { q: "stage/wait-a" })).toEqual([`${ids.awaiting}:awaiting_approval`]);
    expect(await group("awaiting", { q: ids.rotation!.slice(0, 8) })).toEqual([`${ids.rotation}:awaiting_approval`]);
    expect((await pendingRequests(db.database.db, "attention", {}, { ...page, limit: 1 })).total).toBe(2);
  });

  it("gives the key list and the pending view each key's open request in its effective state", async () => {
    const deps = { db: db.database.db, now: () => NOW };
    // The key list's rows, as it reads them: every external key of the account, one row per key and Region.
    const { rows } = await listExternalKeys(db.database.db, { targetId: "prod" }, { sort: "alias", direction: "asc", page: 1, pageSize: 50 });
    const open = await openRequestByKey(deps, rows);
    const shown = rows.flatMap((row) => {
      const request = open.get(keyRefId(row));
      return request ? [[row.aliases[0], request.id, request.state]] : [];
    });
    // wait-2's token passed: expired, though the sweep has not recorded it. The rotation whose material is in
    // KMS cannot expire; wait-3's request was cancelled, so it has none.
    expect(shown).toEqual([
      ["alias/pay/soon", ids.rotation, "awaiting_approval"],
      ["alias/pay/wait-1", ids.outstanding, "parameters_issued"],
      ["alias/pay/wait-2", ids.passed, "expired"],
    ]);
  });

  it("exports a list with the page's filters, and the CSV holds just those rows", async () => {
    const deps = { db: db.database.db, now: () => NOW };
    const waitingStaging = await pendingExportRows(deps, "keys-waiting", { targets, warningDays: 30, filter: { target: "staging" } });
    expect(waitingStaging.truncated).toBe(false);
    expect(waitingStaging.rows.map((r) => [r.alias, r.open_request_state])).toEqual([
      ["alias/stage/wait-a", "Awaiting approval"],
      ["alias/stage/wait-b", "Failed"],
    ]);
    const soon = await pendingExportRows(deps, "expiring", { targets, warningDays: 30, filter: { expiry: "7d" } });
    const [header, ...records] = parse(toCsv("expiring", soon.rows)) as string[][];
    expect(records.map((r) => r[header!.indexOf("alias")])).toEqual(["alias/pay/soon", "alias/stage/soon"]);
    const outstanding = await pendingExportRows(deps, "open-requests", { targets, warningDays: 30, group: "outstanding" });
    expect(outstanding.rows.map((r) => r.request_id)).toEqual([ids.outstanding]);
    const open = await pendingExportRows(deps, "open-requests", { targets, warningDays: 30, filter: { region: "us-east-1" } });
    expect(open.rows.map((r) => r.request_id).sort()).toEqual([ids.awaiting, ids.failed].sort());
  });

  it("refuses an export filter it cannot apply, saying what it accepts", () => {
    expect(pendingExportQuerySchema.parse({ list: "expiring", format: "csv", expiry: "7d", target: "prod" })).toMatchObject({ expiry: "7d", target: "prod" });
    const bad = pendingExportQuerySchema.safeParse({ list: "expiring", format: "csv", expiry: "soon", sort: "x" });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => i.message).join(" ");
    expect(messages).toContain("expiry must be one of expired, 7d, 30d, window");
    expect(bad.error!.issues.some((i) => i.code === "unrecognized_keys")).toBe(true);
  });

  it("pages every request by its effective state, with the same totals as the state tabs", async () => {
    const deps = { db: db.database.db, now: () => NOW };
    const all = await pageImportRequests(deps, undefined, { page: 1, pageSize: 4 });
    expect(all.total).toBe(6);
    expect(all.rows).toHaveLength(4);
    const second = await pageImportRequests(deps, undefined, { page: 2, pageSize: 4 });
    expect(second.rows).toHaveLength(2);
    expect(new Set([...all.rows, ...second.rows].map((r) => r.id)).size).toBe(6);
    // The passed token counts as expired, not as issued; the rotation whose material is in KMS stays awaiting.
    const expired = await pageImportRequests(deps, "expired", { page: 1, pageSize: 50 });
    expect(expired.rows.map((r) => [r.id, r.state])).toEqual([[ids.passed, "expired"]]);
    expect(expired.total).toBe(1);
    const issued = await pageImportRequests(deps, "parameters_issued", { page: 1, pageSize: 50 });
    expect(issued.rows.map((r) => r.id)).toEqual([ids.outstanding]);
    const awaiting = await pageImportRequests(deps, "awaiting_approval", { page: 1, pageSize: 50 });
    expect(awaiting.rows.map((r) => r.id).sort()).toEqual([ids.awaiting, ids.rotation].sort());
    const counts = await requestCounts(deps);
    for (const state of ["expired", "parameters_issued", "awaiting_approval", "failed", "cancelled"] as const) {
      expect((await pageImportRequests(deps, state, { page: 1, pageSize: 50 })).total).toBe(counts[state] ?? 0);
    }
  });
});
