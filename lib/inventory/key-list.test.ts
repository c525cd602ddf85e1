import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { KeyMetadata } from "@/lib/kms/operations";
import { listExternalKeys, listKeyEntries, relatedRegions, upsertDescribed } from "./queries";
import { AWAITING_MATERIAL, describedKey } from "./testing";

/** The key list groups a multi-Region key's Regions into one entry; the pending view keeps one row per key. */

const MRK = "mrk-1234abcd12ab34cd56ef1234567890ab";
const SINGLE = "1234abcd-12ab-34cd-56ef-1234567890ab";

/** A multi-Region key's Regions all name eu-west-1 as the primary. */
function described(region: string, keyId: string, over: Partial<KeyMetadata> = {}): KeyMetadata {
  const multiRegion = keyId.startsWith("mrk-");
  return describedKey(region, keyId, { multiRegion, primaryRegion: multiRegion ? "eu-west-1" : null, ...over });
}

const options = { sort: "region" as const, direction: "asc" as const, page: 1, pageSize: 50 };

describe.each(testDrivers())("the key list's multi-Region entries on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
    const at = new Date("2026-11-30T00:00:00Z");
    const write = (region: string, keys: KeyMetadata[]) => upsertDescribed(db.database.db, "prod", region, keys, at);
    await write("eu-west-1", [described("eu-west-1", MRK), described("eu-west-1", SINGLE)]);
    await write("us-east-1", [described("us-east-1", MRK, { validTo: new Date("2027-01-10T00:00:00Z") })]);
    await write("eu-central-1", [described("eu-central-1", MRK, AWAITING_MATERIAL)]);
    // The same key id in another account is another set.
    await upsertDescribed(db.database.db, "staging", "us-east-1", [described("us-east-1", MRK, { accountId: "333333333333" })], at);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("lists a set once, led by its primary, and counts entries", async () => {
    const { rows, total } = await listKeyEntries(db.database.db, {}, options);
    expect(total).toBe(3);
    expect(rows.map((r) => `${r.targetId}/${r.region}/${r.keyId}`).sort()).toEqual(
      [`prod/eu-west-1/${MRK}`, `prod/eu-west-1/${SINGLE}`, `staging/us-east-1/${MRK}`].sort(),
    );
    const sets = await relatedRegions(db.database.db, rows);
    expect(sets.get(`prod/${MRK}`)?.map((r) => r.region)).toEqual(["eu-west-1", "eu-central-1", "us-east-1"]);
    expect(sets.get(`staging/${MRK}`)?.map((r) => r.region)).toEqual(["us-east-1"]);
    expect(sets.has(`prod/${SINGLE}`)).toBe(false);
  });

  it("lets the Region that matches a filter lead when the primary does not", async () => {
    const pending = await listKeyEntries(db.database.db, { state: "PendingImport" }, options);
    expect(pending.total).toBe(1);
    expect(pending.rows[0]).toMatchObject({ region: "eu-central-1", keyId: MRK });

    const us = await listKeyEntries(db.database.db, { targetId: "prod", region: "us-east-1" }, options);
    expect(us.rows.map((r) => r.region)).toEqual(["us-east-1"]);

    const expiring = await listKeyEntries(db.database.db, { targetId: "prod", expiringBefore: new Date("2027-02-01T00:00:00Z") }, options);
    expect(expiring.rows.map((r) => `${r.region}/${r.keyId}`)).toEqual([`us-east-1/${MRK}`]);
  });

  it("keeps one row per key and Region where every key counts (the pending view)", async () => {
    const { total } = await listExternalKeys(db.database.db, { targetId: "prod" }, options);
    expect(total).toBe(4);
  });
});
