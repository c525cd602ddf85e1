import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { tables } from "@/lib/db";
import { readPerKey, type KeyRef } from "@/lib/inventory/material-summary";
import type { Q } from "./queries";

/**
 * What Keyport's trail says about many keys' imports at once, for lists that would otherwise ask key by key:
 * whether Keyport ever imported into a key (a reimport can copy that import's choices) and when it last
 * brought new material in. One grouped query for the whole set.
 */

const r = tables.importRequests;

export type KeyImports = {
  /** When Keyport last completed a rotation or a NEW_KEY_MATERIAL import into the key, or null. */
  lastNewMaterialAt: Date | null;
};

function toDate(value: Date | string | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

/**
 * For each of `keys` that has an import or rotation in state `imported`, its facts (by `keyRefId`); keys
 * Keyport never imported into are absent. The same requests `importedRequestsOfKey` lists, read as a set.
 */
export async function importsOfKeys(q: Q, keys: readonly KeyRef[]): Promise<Map<string, KeyImports>> {
  return readPerKey(
    keys,
    (keyIds) =>
      q
        .select({
          targetId: r.targetId,
          region: r.region,
          keyId: r.keyId,
          lastNewMaterialAt: sql<Date | string | null>`max(${r.closedAt}) filter (where ${r.kind} = 'rotate' or ${r.importType} = 'NEW_KEY_MATERIAL')`,
        })
        .from(r)
        .where(and(inArray(r.keyId, keyIds), eq(r.state, "imported"), inArray(r.kind, ["import", "rotate"])))
        .groupBy(r.targetId, r.region, r.keyId),
    (row) => ({ lastNewMaterialAt: toDate(row.lastNewMaterialAt) }),
  );
}
