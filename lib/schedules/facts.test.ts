import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { tables, type Db } from "@/lib/db";
import { morgan } from "@/lib/imports/testing";
import { keyRefId } from "@/lib/inventory/material-summary";
import { dueCounts, rotationCounts, rotationRows } from "./estate-queries";
import { syncScheduleFacts } from "./facts";
import { DUE_LISTS } from "./lists";
import { DAY_MS, dueBucket } from "./policy";
import { setPolicy } from "./store";
import { SEED_TARGET, seedEstate, type SeededKey } from "./testing";

/**
 * The schedule facts follow what they are worked out from: a policy change rewrites them in its own
 * transaction, a sync rewrites exactly its scope (a key's new material, a Region's refresh, keys gone from
 * KMS), and syncs that run at once, as two instances' refreshes can, neither fail nor leave a key counted twice.
 */

const KEYS = 120;
const ALL = { limit: 1000, offset: 0 };
const known = (id: string) => id === SEED_TARGET;

describe.each(testDrivers())("schedule facts on %s", (driver) => {
  let database: TestDatabase | undefined;
  let db: Db;
  let seeded: SeededKey[];
  const now = new Date();

  beforeEach(async () => {
    await database?.cleanup();
    database = await createTestDatabase(driver);
    db = database.database.db;
    seeded = await seedEstate(db, now, KEYS);
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it("follows an account's new policy at once: every key it governs is counted by the new days", async () => {
    const before = await dueCounts(db, now);
    await setPolicy(db, morgan, { scope: "target", targetId: SEED_TARGET }, { reimportDaysBefore: 1 }, now, known);
    const expected = { overdue: 0, this_week: 0, next_week: 0 };
    for (const key of seeded) {
      if (!key.external || !key.expires) continue;
      const bucket = dueBucket(new Date(key.validTo.getTime() - (key.ownPolicy ? 3 : 1) * DAY_MS), now);
      if (bucket !== "later") expected[bucket]++;
    }
    const after = await dueCounts(db, now);
    expect(after).toEqual(expected);
    expect(after).not.toEqual(before);
    // The account's policy no longer asks for new material, and the keys' own never did.
    expect(Object.values(await rotationCounts(db, now)).reduce((n, v) => n + v, 0)).toBe(0);
  });

  it("follows a key's own policy, and leaves every other key's facts as they were", async () => {
    const key = seeded.find((k) => k.external && k.symmetric && k.ownPolicy)!;
    const before = (await rotationRows(db, now, {}, ALL)).map((row) => keyRefId(row.key));
    expect(before).not.toContain(keyRefId(key));
    await setPolicy(db, morgan, { scope: "key", targetId: key.targetId, region: key.region, keyId: key.keyId }, { rotateEveryDays: 30 }, now, known);
    const after = await rotationRows(db, now, {}, ALL);
    expect(after.map((row) => keyRefId(row.key)).sort()).toEqual([...before, keyRefId(key)].sort());
    expect(after.find((row) => keyRefId(row.key) === keyRefId(key))).toMatchObject({ everyDays: 30, policy: { source: "key" } });
  });

  it("starts a key's rotation clock again when a sync of that key follows Keyport's import of new material", async () => {
    const due = await rotationRows(db, now, { state: "due" }, ALL);
    const [key, other] = due.map((row) => row.key);
    expect(other).toBeDefined();
    await db.insert(tables.importRequests).values({
      kind: "rotate",
      targetId: key!.targetId,
      region: key!.region,
      keyArn: key!.arn,
      keyId: key!.keyId,
      keySpec: "SYMMETRIC_DEFAULT",
      state: "imported",
      justification: "Rotated in a test",
      requestedBySubject: "test",
      createdAt: now,
      updatedAt: now,
      closedAt: now,
    });
    await syncScheduleFacts(db, { targetId: key!.targetId, region: key!.region, keyId: key!.keyId });
    const stillDue = (await rotationRows(db, now, { state: "due" }, ALL)).map((row) => keyRefId(row.key));
    expect(stillDue).not.toContain(keyRefId(key!));
    expect(stillDue).toContain(keyRefId(other!));
    expect((await rotationRows(db, now, { state: "scheduled" }, ALL)).map((row) => keyRefId(row.key))).toContain(keyRefId(key!));
  });

  it("drops the facts of keys gone from the inventory when their Region is synced, and only theirs", async () => {
    const gone = seeded.filter((key) => key.region === "eu-west-1" && key.dueBucket === "overdue").slice(0, 5);
    const counted = await dueCounts(db, now);
    for (const key of gone) {
      const k = tables.inventoryKeys;
      await db.delete(k).where(and(eq(k.targetId, key.targetId), eq(k.region, key.region), eq(k.keyId, key.keyId)));
    }
    await syncScheduleFacts(db, { targetId: SEED_TARGET, region: "eu-west-1" });
    expect(await dueCounts(db, now)).toEqual({ ...counted, overdue: counted.overdue - gone.length });
  });

  it("takes concurrent syncs one at a time: none fails, and every key is counted once", async () => {
    const counted = await dueCounts(db, now);
    const rotations = await rotationCounts(db, now);
    await Promise.all([syncScheduleFacts(db), syncScheduleFacts(db, { targetId: SEED_TARGET }), syncScheduleFacts(db), syncScheduleFacts(db, { targetId: SEED_TARGET, region: "us-east-1" })]);
    expect(await dueCounts(db, now)).toEqual(counted);
    expect(await rotationCounts(db, now)).toEqual(rotations);
    for (const list of DUE_LISTS) expect(counted[list]).toBe(seeded.filter((key) => key.dueBucket === list).length);
  });
});
