import "server-only";
import { and, desc, eq, inArray, ne } from "drizzle-orm";
import { tables, type Db } from "@/lib/db";
import { keyAge, type KeyAge } from "@/lib/inventory/key-age";
import { listKeyAges, type KeyAgeFilter } from "@/lib/inventory/key-age-query";
import type { KeyRow } from "@/lib/inventory/queries";

/**
 * The key-age report (/reports/key-age and its CSV): the inventory's rows and stored material summaries
 * (lib/inventory/key-age-query.ts), each with the last import Keyport carried out into that key, read once for
 * the page's or the export's rows. Nothing here calls KMS.
 */

export const KEY_AGE_PAGE_SIZE = 50;
/** The most rows one export carries; past it the response says it is truncated. */
export const KEY_AGE_EXPORT_MAX_ROWS = 5000;

export type LastImport = { at: Date; by: string | null };
export type KeyAgeReportRow = { key: KeyRow; age: KeyAge; lastImport: LastImport | null };

export async function keyAgeReport(
  deps: { db: Db; now: () => Date },
  filter: KeyAgeFilter,
  options: { page: number; pageSize: number },
): Promise<{ rows: KeyAgeReportRow[]; total: number }> {
  const nowMs = deps.now().getTime();
  const { rows, total } = await listKeyAges(deps.db, filter, { nowMs, ...options });
  const imports = await lastImports(deps.db, rows);
  return {
    total,
    rows: rows.map(({ summary, ...key }) => ({ key, age: keyAge({ ...key, summary }, nowMs), lastImport: imports.get(`${key.targetId}|${key.region}|${key.keyId}`) ?? null })),
  };
}

const r = tables.importRequests;

/**
 * The latest import (or rotation) Keyport completed into each of `keys`, and who asked for it, from its own
 * requests. A deletion is not an import; a key Keyport never imported into has none.
 */
export async function lastImports(db: Db, keys: ReadonlyArray<{ targetId: string; region: string; keyId: string }>): Promise<Map<string, LastImport>> {
  const out = new Map<string, LastImport>();
  if (keys.length === 0) return out;
  const rows = await db
    .select({ targetId: r.targetId, region: r.region, keyId: r.keyId, closedAt: r.closedAt, by: r.requestedByName })
    .from(r)
    .where(and(inArray(r.keyId, [...new Set(keys.map((key) => key.keyId))]), eq(r.state, "imported"), ne(r.kind, "delete_material")))
    .orderBy(desc(r.closedAt));
  for (const row of rows) {
    const id = `${row.targetId}|${row.region}|${row.keyId}`;
    if (row.closedAt && !out.has(id)) out.set(id, { at: row.closedAt, by: row.by });
  }
  return out;
}
