import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inventoryMaterialSummaries } from "@/lib/db/schema";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { keyRefId, summariesOfKeys, type KeyRef } from "./material-summary";

/**
 * Reading a fact per key for a set of keys (`readPerKey`, here through `summariesOfKeys`): a set larger than one
 * query's 2,000 key ids is read whole, and a row of the same key id in another account or Region is not taken
 * for the key asked about.
 */

describe.each(testDrivers())("per-key reads on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("answers every key of a set beyond one query, and only the keys asked about", async () => {
    const at = new Date("2025-01-01T00:00:00Z");
    const keys: KeyRef[] = Array.from({ length: 2_001 }, (_, i) => ({ targetId: "prod", region: "eu-west-1", keyId: `key-${String(i).padStart(4, "0")}` }));
    const elsewhere: KeyRef[] = [
      { targetId: "prod", region: "us-east-1", keyId: keys[0]!.keyId },
      { targetId: "staging", region: "eu-west-1", keyId: keys[2_000]!.keyId },
    ];
    await db.database.db
      .insert(inventoryMaterialSummaries)
      .values([...keys, ...elsewhere].map((key, i) => ({ ...key, keyMaterialId: `material-${i}`, currentSince: null, onDemandRotations: i, readAt: at })));

    const summaries = await summariesOfKeys(db.database.db, keys);
    expect(summaries.size).toBe(keys.length);
    expect(summaries.get(keyRefId(keys[0]!))).toEqual({ keyMaterialId: "material-0", currentSince: null, onDemandRotations: 0 });
    expect(summaries.get(keyRefId(keys[2_000]!))).toEqual({ keyMaterialId: "material-2000", currentSince: null, onDemandRotations: 2_000 });
    for (const key of elsewhere) expect(summaries.has(keyRefId(key))).toBe(false);

    // Asked for the other Region's key alone, the answer is that key's row, not the first Region's.
    const other = await summariesOfKeys(db.database.db, [elsewhere[0]!]);
    expect([...other.values()]).toEqual([{ keyMaterialId: "material-2001", currentSince: null, onDemandRotations: 2_001 }]);
  });
});
