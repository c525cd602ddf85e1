import "server-only";
import { and, asc, count, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { tables } from "@/lib/db";
import { AGE_BUCKET_DAYS, type AgeBucket, type KeyAgeInput } from "./key-age";
import { externalWhere, keyColumns, type KeyRow } from "./key-list";

/**
 * The key-age report's rows: every EXTERNAL key (one row per key and Region) with the stored summary of its
 * material (material-summary.ts), filtered and paged in the database. The material's date is computed here
 * exactly as `materialSince` in key-age.ts computes it, so the age filter and the page agree.
 */

const k = tables.inventoryKeys;
const s = tables.inventoryMaterialSummaries;

export type KeyAgeFilter = { targetId?: string; region?: string; bucket?: AgeBucket; text?: string };

export type KeyAgeListRow = KeyRow & { summary: KeyAgeInput["summary"] };

/** `materialSince` in SQL: null without material, a rotation's date for the current material, else the key's creation. */
const since = sql`CASE WHEN ${k.keyState} = 'PendingImport' THEN NULL
  ELSE coalesce(CASE WHEN ${s.keyMaterialId} = ${k.currentKeyMaterialId} THEN ${s.currentSince} END, ${k.creationDate}) END`;

function bucketWhere(bucket: AgeBucket, nowMs: number): SQL {
  if (bucket === "no-material") return sql`(${since}) IS NULL`;
  const [from, to] = AGE_BUCKET_DAYS[bucket];
  // Age in whole days >= from  <=>  since <= now - from days; age < to  <=>  since > now - to days.
  const day = (days: number) => new Date(nowMs - days * 24 * 3600_000);
  const conditions = [sql`(${since}) <= ${day(from)}`];
  if (to !== null) conditions.push(sql`(${since}) > ${day(to)}`);
  return and(...conditions)!;
}

function where(filter: KeyAgeFilter, nowMs: number): SQL {
  const conditions = [externalWhere({ targetId: filter.targetId, region: filter.region, text: filter.text })];
  if (filter.bucket) conditions.push(bucketWhere(filter.bucket, nowMs));
  return and(...conditions)!;
}

/** Oldest material first; keys without material last. */
export async function listKeyAges(
  db: Db,
  filter: KeyAgeFilter,
  options: { nowMs: number; page: number; pageSize: number },
): Promise<{ rows: KeyAgeListRow[]; total: number }> {
  const joined = and(eq(s.targetId, k.targetId), eq(s.region, k.region), eq(s.keyId, k.keyId));
  const condition = where(filter, options.nowMs);
  const [rows, totals] = await Promise.all([
    db
      .select({ ...keyColumns, summaryMaterialId: s.keyMaterialId, summarySince: s.currentSince, summaryRotations: s.onDemandRotations })
      .from(k)
      .leftJoin(s, joined)
      .where(condition)
      .orderBy(sql`(${since}) ASC NULLS LAST`, asc(k.targetId), asc(k.region), asc(k.keyId))
      .limit(options.pageSize)
      .offset((options.page - 1) * options.pageSize),
    db.select({ n: count() }).from(k).leftJoin(s, joined).where(condition),
  ]);
  return {
    total: totals[0]?.n ?? 0,
    rows: rows.map(({ summaryMaterialId, summarySince, summaryRotations, ...key }) => ({
      ...key,
      summary: summaryMaterialId === null || summaryRotations === null ? null : { keyMaterialId: summaryMaterialId, currentSince: summarySince, onDemandRotations: summaryRotations },
    })),
  };
}
