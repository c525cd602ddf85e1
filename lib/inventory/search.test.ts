import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { KeyMetadata } from "@/lib/kms/operations";
import { tables } from "@/lib/db";
import { analyzeInventory, applyAliases, externalWhere, keyEntriesPageQuery, listExternalKeys, upsertDescribed } from "./queries";

/**
 * The key list's search: a case-insensitive substring of the key id, ARN, description or an alias, answered
 * from the trigram index once the planner has statistics (which the refresh gives PGlite, lacking autovacuum).
 */

const keyOf = (i: number, origin = "EXTERNAL"): KeyMetadata => {
  const keyId = `${String(i).padStart(8, "0")}-12ab-34cd-56ef-1234567890ab`;
  return {
    keyId,
    arn: `arn:aws:kms:eu-west-1:222222222222:key/${keyId}`,
    accountId: "222222222222",
    origin,
    keySpec: "SYMMETRIC_DEFAULT",
    keyUsage: "ENCRYPT_DECRYPT",
    keyState: "Enabled",
    enabled: true,
    keyManager: "CUSTOMER",
    description: i === 7 ? "Card PIN block 100% of terminals" : `Imported data key #${i}`,
    creationDate: new Date("2026-01-02T03:04:05.678Z"),
    validTo: null,
    expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
    currentKeyMaterialId: null,
    multiRegion: false,
    primaryRegion: null,
    deletionDate: null,
  };
};

const page = { sort: "keyId" as const, direction: "asc" as const, page: 1, pageSize: 50 };

describe.each(testDrivers())("key search on %s", (driver) => {
  let db: TestDatabase;
  const search = async (text: string) => (await listExternalKeys(db.database.db, { text }, page)).rows.map((row) => Number(row.keyId.slice(0, 8)));

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    const keys = Array.from({ length: 2000 }, (_, i) => keyOf(i, i % 2 === 0 ? "EXTERNAL" : "AWS_KMS"));
    await upsertDescribed(db.database.db, "t", "eu-west-1", keys, new Date("2026-11-28T10:00:00Z"));
    await applyAliases(
      db.database.db,
      "t",
      "eu-west-1",
      new Map([
        [keyOf(42).keyId, ["alias/payments/Settlement-KEK"]],
        [keyOf(43).keyId, ["alias/settlement-kek"]],
      ]),
    );
    await analyzeInventory(db.database.db);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("matches any part of an alias, the key id, the ARN or the description, whatever the case", async () => {
    expect(await search("settlement-KEK")).toEqual([42]);
    expect(await search("00001234-12AB")).toEqual([1234]);
    expect(await search("key/00000100")).toEqual([100]);
    expect(await search("pin BLOCK")).toEqual([]); // key 7 is not EXTERNAL: only EXTERNAL keys are listed
    expect(await search("data key #1998")).toEqual([1998]);
  });

  it("takes % and _ literally", async () => {
    expect(await search("100%")).toEqual([]);
    await upsertDescribed(db.database.db, "t", "eu-west-1", [{ ...keyOf(8), description: "covers 100% of terminals" }], new Date("2026-11-28T11:00:00Z"));
    expect(await search("100%")).toEqual([8]);
    expect(await search("data_key")).toEqual([]);
  });

  it("asks in the index's own terms, so the trigram index can answer it", async () => {
    // With a thousand keys the planner rightly reads them all; forbidding that shows the index fits the query
    // the list sends (its expression and the partial index's WHERE). At 20,000 keys the planner picks it itself
    // (`npm run bench:pages`, /keys?q=).
    const { sql: text, params } = db.database.db
      .select({ keyId: tables.inventoryKeys.keyId })
      .from(tables.inventoryKeys)
      .where(externalWhere({ text: "settlement" }))
      .toSQL();
    let plan = "";
    // The other indexes over EXTERNAL keys are dropped in a transaction that is rolled back: what is left is the
    // trigram index, or a scan of every key.
    await db.database.db
      .transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL enable_seqscan = off`);
        await tx.execute(
          sql`DROP INDEX inventory_keys_origin_state_idx, inventory_keys_alias_order_idx, inventory_keys_valid_to_asc_order_idx, inventory_keys_valid_to_desc_order_idx`,
        );
        const literals = params.map((p) => `'${String(p).replace(/'/g, "''")}'`);
        plan = JSON.stringify(await tx.execute(sql.raw(`EXPLAIN ${text.replace(/\$(\d+)/g, (_, n: string) => literals[Number(n) - 1]!)}`)));
        throw new Error("roll back");
      })
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.message === "roll back")) throw error;
      });
    expect(plan).toContain("Bitmap Index Scan on inventory_keys_search_trgm_idx");
  });
  it("reads a page sorted by ValidTo from its index in either direction, without sorting every key", async () => {
    // The order's CASE must be the migration's expression exactly, or PostgreSQL sorts the whole estate.
    for (const direction of ["asc", "desc"] as const) {
      const { sql: text, params } = keyEntriesPageQuery(db.database.db, {}, { sort: "validTo", direction, page: 1, pageSize: 50 }).toSQL();
      let plan: string[] = [];
      await db.database.db
        .transaction(async (tx) => {
          await tx.execute(sql`SET LOCAL enable_sort = off`);
          const literals = params.map((p) => (typeof p === "number" ? String(p) : `'${String(p).replace(/'/g, "''")}'`));
          const result = (await tx.execute(sql.raw(`EXPLAIN ${text.replace(/\$(\d+)/g, (_, n: string) => literals[Number(n) - 1]!)}`))) as unknown as { rows: Array<Record<string, string>> };
          plan = result.rows.map((row) => Object.values(row)[0]!);
          throw new Error("roll back");
        })
        .catch((error: unknown) => {
          if (!(error instanceof Error && error.message === "roll back")) throw error;
        });
      // The page's rows come straight from the index under the LIMIT (a Sort there would mean every key sorted).
      expect(plan[0]).toMatch(/^Limit/);
      expect(plan[1]).toContain(`Index Scan using inventory_keys_valid_to_${direction}_order_idx`);
    }
  });
});
