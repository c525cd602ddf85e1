import "server-only";
import { alias } from "drizzle-orm/pg-core";
import { and, asc, count, desc, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { tables } from "@/lib/db";
import { MATERIAL_RANK, type SortKey } from "./sort";

/** The read side of the inventory for pages: the key list, its facets, one key, and a multi-Region key's Regions. */

const k = tables.inventoryKeys;
/** The inventory again, inside a subquery over a key's related keys. */
const related = alias(k, "related");

export { SORTABLE, type SortKey } from "./sort";

export type KeyFilter = {
  targetId?: string;
  region?: string;
  state?: string;
  keySpec?: string;
  text?: string;
  /** Only keys whose material expires before this instant (the warning window). */
  expiringBefore?: Date;
  /** With `expiringBefore`: only material expiring at or after this instant (a days-to-expiry bucket). */
  expiringFrom?: Date;
};

export type KeyRow = {
  targetId: string;
  region: string;
  keyId: string;
  arn: string;
  accountId: string;
  aliases: string[];
  keySpec: string | null;
  keyUsage: string | null;
  keyState: string | null;
  description: string | null;
  expirationModel: string | null;
  validTo: Date | null;
  multiRegion: boolean | null;
  primaryRegion: string | null;
  creationDate: Date | null;
  deletionDate: Date | null;
  currentKeyMaterialId: string | null;
  lastDescribedAt: Date | null;
};

export const keyColumns = {
  targetId: k.targetId,
  region: k.region,
  keyId: k.keyId,
  arn: k.arn,
  accountId: k.accountId,
  aliases: k.aliases,
  keySpec: k.keySpec,
  keyUsage: k.keyUsage,
  keyState: k.keyState,
  description: k.description,
  expirationModel: k.expirationModel,
  validTo: k.validTo,
  multiRegion: k.multiRegion,
  primaryRegion: k.primaryRegion,
  creationDate: k.creationDate,
  deletionDate: k.deletionDate,
  currentKeyMaterialId: k.currentKeyMaterialId,
  lastDescribedAt: k.lastDescribedAt,
};

/** The filter as SQL over `table` (the inventory, or an alias of it in a subquery). */
export function externalWhere(filter: KeyFilter, table: typeof k | typeof related = k): SQL {
  const conditions: SQL[] = [eq(table.origin, "EXTERNAL")];
  if (filter.targetId) conditions.push(eq(table.targetId, filter.targetId));
  if (filter.region) conditions.push(eq(table.region, filter.region));
  if (filter.state) conditions.push(eq(table.keyState, filter.state));
  if (filter.keySpec) conditions.push(eq(table.keySpec, filter.keySpec));
  if (filter.expiringBefore) conditions.push(lt(table.validTo, filter.expiringBefore));
  if (filter.expiringFrom) conditions.push(gte(table.validTo, filter.expiringFrom));
  if (filter.text) {
    // One lower-cased text per key, as the trigram index (the key_search migration) holds it: LIKE over it is
    // answered from the index, where ILIKE over each column scanned every key.
    const pattern = `%${filter.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(sql`keyport_key_search_text(${table.keyId}, ${table.arn}, ${table.description}, ${table.aliases}) LIKE ${pattern}`);
  }
  return and(...conditions)!;
}

/** `materialGroup` (./sort.ts) in SQL, ranked as `MATERIAL_RANK` ranks it for the direction. */
function materialRank(direction: "asc" | "desc"): SQL {
  const rank = MATERIAL_RANK[direction];
  return sql`CASE
    WHEN ${k.keyState} = 'PendingImport' AND ${k.validTo} IS NULL THEN ${sql.raw(String(rank.none))}
    WHEN ${k.expirationModel} = 'KEY_MATERIAL_DOES_NOT_EXPIRE' THEN ${sql.raw(String(rank.never))}
    WHEN ${k.validTo} IS NULL THEN ${sql.raw(String(rank.none))}
    ELSE ${sql.raw(String(rank.dated))} END`;
}

function orderBy(sort: SortKey, direction: "asc" | "desc"): SQL[] {
  const dir = direction === "asc" ? asc : desc;
  const nullsLast = (column: SQL) => sql`${column} ${sql.raw(direction === "asc" ? "ASC" : "DESC")} NULLS LAST`;
  switch (sort) {
    case "alias":
      return [nullsLast(sql`${k.aliases}[1]`), asc(k.keyId)];
    case "keyId":
      return [dir(k.keyId)];
    case "target":
      return [dir(k.targetId), asc(k.region), asc(k.keyId)];
    case "region":
      return [dir(k.region), asc(k.targetId), asc(k.keyId)];
    case "keySpec":
      return [dir(k.keySpec), asc(k.keyId)];
    case "state":
      return [dir(k.keyState), asc(k.keyId)];
    case "validTo":
      return [materialRank(direction), nullsLast(sql`${k.validTo}`), asc(k.keyId)];
    case "created":
      return [nullsLast(sql`${k.creationDate}`), asc(k.keyId)];
  }
}

type ListOptions = { sort: SortKey; direction: "asc" | "desc"; page: number; pageSize: number };

function pageWhere(db: Db, where: SQL, options: ListOptions) {
  return db
    .select(keyColumns)
    .from(k)
    .where(where)
    .orderBy(...orderBy(options.sort, options.direction))
    .limit(options.pageSize)
    .offset((options.page - 1) * options.pageSize);
}

async function listWhere(db: Db, where: SQL, options: ListOptions): Promise<{ rows: KeyRow[]; total: number }> {
  const [rows, totals] = await Promise.all([pageWhere(db, where, options), db.select({ n: count() }).from(k).where(where)]);
  return { rows, total: totals[0]?.n ?? 0 };
}

/** Every EXTERNAL key that matches, one row per key and Region (the pending view, exports). */
export async function listExternalKeys(db: Db, filter: KeyFilter, options: ListOptions): Promise<{ rows: KeyRow[]; total: number }> {
  return listWhere(db, externalWhere(filter), options);
}

/** One page of listExternalKeys without counting the matches: for a caller that already knows how many there are. */
export async function pageExternalKeys(db: Db, filter: KeyFilter, options: ListOptions): Promise<KeyRow[]> {
  return pageWhere(db, externalWhere(filter), options);
}

/**
 * A multi-Region key's related keys (same account, same `mrk-` id, one per Region) are one entry on the key
 * list. The entry is led by one of its Regions that matches the filter: the primary when it matches, else the
 * first matching Region by name; the others are read with `relatedRegions`. Single-Region keys are their own
 * entry. CASE keeps the subquery to multi-Region rows, which are few in any estate.
 */
function leadsItsEntry(filter: KeyFilter): SQL {
  return sql`CASE WHEN coalesce(${k.multiRegion}, false) THEN ${k.region} = (
    SELECT ${related.region} FROM ${k} AS ${related}
    WHERE ${related.targetId} = ${k.targetId} AND ${related.keyId} = ${k.keyId} AND ${externalWhere(filter, related)}
    ORDER BY coalesce(${related.region} = ${related.primaryRegion}, false) DESC, ${related.region} ASC
    LIMIT 1) ELSE true END`;
}

const entriesWhere = (filter: KeyFilter) => and(externalWhere(filter), leadsItsEntry(filter))!;

/** The key list's entries (see leadsItsEntry), paged; `total` counts entries. */
export async function listKeyEntries(db: Db, filter: KeyFilter, options: ListOptions): Promise<{ rows: KeyRow[]; total: number }> {
  return listWhere(db, entriesWhere(filter), options);
}

/** The statement listKeyEntries reads a page with, unsent (tests check its plan). */
export function keyEntriesPageQuery(db: Db, filter: KeyFilter, options: ListOptions) {
  return pageWhere(db, entriesWhere(filter), options);
}

/**
 * Every Region of the multi-Region keys among `leads`, by `${targetId}/${keyId}`: primary first, then by
 * Region. Filters do not apply: a set is shown whole, so a Region that differs is in view.
 */
export async function relatedRegions(db: Db, leads: readonly KeyRow[]): Promise<Map<string, KeyRow[]>> {
  const sets = leads.filter((row) => row.multiRegion);
  const out = new Map<string, KeyRow[]>();
  if (sets.length === 0) return out;
  const rows = await db
    .select(keyColumns)
    .from(k)
    .where(
      and(
        eq(k.origin, "EXTERNAL"),
        eq(k.multiRegion, true),
        inArray(k.keyId, [...new Set(sets.map((row) => row.keyId))]),
        inArray(k.targetId, [...new Set(sets.map((row) => row.targetId))]),
      ),
    )
    .orderBy(asc(k.targetId), asc(k.keyId), sql`coalesce(${k.region} = ${k.primaryRegion}, false) DESC`, asc(k.region));
  for (const row of rows) {
    const id = `${row.targetId}/${row.keyId}`;
    out.set(id, [...(out.get(id) ?? []), row]);
  }
  return out;
}

/** Distinct values present among EXTERNAL keys, for the filter menus. */
export async function facetValues(db: Db): Promise<{ states: string[]; keySpecs: string[] }> {
  const rows = await db
    .selectDistinct({ state: k.keyState, keySpec: k.keySpec })
    .from(k)
    .where(eq(k.origin, "EXTERNAL"));
  const states = [...new Set(rows.map((row) => row.state).filter((s): s is string => !!s))].sort();
  const keySpecs = [...new Set(rows.map((row) => row.keySpec).filter((s): s is string => !!s))].sort();
  return { states, keySpecs };
}

export async function getExternalKey(db: Db, targetId: string, region: string, keyId: string): Promise<KeyRow | null> {
  const rows = await db
    .select(keyColumns)
    .from(k)
    .where(and(eq(k.targetId, targetId), eq(k.region, region), eq(k.keyId, keyId), eq(k.origin, "EXTERNAL")))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * ARNs of the EXTERNAL keys carrying an alias: "alias/payments/settlement-kek" exactly, or, without the
 * "alias/" prefix, any alias ending in that name ("settlement-kek", "payments/settlement-kek").
 */
export async function keyArnsWithAlias(db: Db, alias: string): Promise<string[]> {
  const matches = alias.startsWith("alias/")
    ? sql`${alias} = ANY(${k.aliases})`
    : sql`EXISTS (SELECT 1 FROM unnest(${k.aliases}) AS a(name) WHERE a.name = ${`alias/${alias}`} OR a.name LIKE ${`%/${alias.replace(/[\\%_]/g, (c) => `\\${c}`)}`})`;
  const rows = await db
    .select({ arn: k.arn })
    .from(k)
    .where(and(eq(k.origin, "EXTERNAL"), matches))
    .orderBy(asc(k.arn));
  return rows.map((row) => row.arn);
}
