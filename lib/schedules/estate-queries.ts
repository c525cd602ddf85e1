import "server-only";
import { alias } from "drizzle-orm/pg-core";
import { and, asc, count, eq, gt, gte, isNotNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { tables } from "@/lib/db";
import { keyColumns, type KeyRow } from "@/lib/inventory/queries";
import type { KeyRef } from "@/lib/inventory/material-summary";
import type { DueList, RotationState } from "./lists";
import { DAY_MS, ROTATION_LIMIT, type PolicySource } from "./policy";
import { REIMPORT_DAYS } from "./limits";

/**
 * The SQL behind the schedules page and the rotation pass: which policy governs each key (its own, else its
 * account's) joined in the query, so reimports due and rotations can be counted with GROUP BY and read one
 * page at a time, whatever the size of the estate. ./estate.ts adds what a page of rows needs besides.
 */

const k = tables.inventoryKeys;
const own = alias(tables.schedulePolicies, "own_policy");
const account = alias(tables.schedulePolicies, "account_policy");
const s = tables.inventoryMaterialSummaries;
const r = tables.importRequests;

/** A whole policy governs: the key's own when it has one, else its account's (effectivePolicy in ./policy.ts). */
const hasOwn = sql`${own.id} IS NOT NULL`;
const reimportDays = sql<number | null>`CASE WHEN ${hasOwn} THEN ${own.reimportDaysBefore} ELSE ${account.reimportDaysBefore} END`;
const everyDays = sql<number | null>`CASE WHEN ${hasOwn} THEN ${own.rotateEveryDays} ELSE ${account.rotateEveryDays} END`;
const source = sql<PolicySource>`CASE WHEN ${hasOwn} THEN 'key' ELSE 'target' END`;
const ownJoin = eq(own.id, sql`'key:' || ${k.targetId} || '/' || ${k.region} || '/' || ${k.keyId}`);
const accountJoin = eq(account.id, sql`'target:' || ${k.targetId}`);

/** `days` whole days as an interval of seconds: no calendar days, so no daylight-saving hour creeps in. */
const days = (n: SQL | number) => sql`(${n} * interval '86400 seconds')`;

export type Scope = { target?: string };

// --- Reimports due --------------------------------------------------------------------------------------

const dueAt = sql<Date>`(${k.validTo} - ${days(reimportDays)})`;

/** Which list a due date falls in at `now`, as dueBucket (./policy.ts) decides it. */
function dueBucketSql(now: Date): SQL<string> {
  return sql<string>`CASE WHEN ${dueAt} < ${now} THEN 'overdue'
    WHEN ${dueAt} < ${new Date(now.getTime() + 7 * DAY_MS)} THEN 'this_week'
    WHEN ${dueAt} < ${new Date(now.getTime() + 14 * DAY_MS)} THEN 'next_week'
    ELSE 'later' END`;
}

function dueWhere(now: Date, scope: Scope): SQL {
  return and(
    eq(k.origin, "EXTERNAL"),
    eq(k.expirationModel, "KEY_MATERIAL_EXPIRES"),
    isNotNull(k.validTo),
    // Nothing due in the next two weeks expires later than the longest policy allows for (the ValidTo index).
    lt(k.validTo, new Date(now.getTime() + (14 + REIMPORT_DAYS.max) * DAY_MS)),
    isNotNull(reimportDays),
    scope.target ? eq(k.targetId, scope.target) : undefined,
  )!;
}

/** How many reimports fall in each due list (GROUP BY, no row read). */
export async function dueCounts(db: Db, now: Date, scope: Scope = {}): Promise<Record<DueList, number>> {
  const bucket = dueBucketSql(now);
  const rows = await db
    .select({ bucket, n: count() })
    .from(k)
    .leftJoin(own, ownJoin)
    .leftJoin(account, accountJoin)
    .where(dueWhere(now, scope))
    .groupBy(sql.raw("1"));
  const out: Record<DueList, number> = { overdue: 0, this_week: 0, next_week: 0 };
  for (const row of rows) if (row.bucket in out) out[row.bucket as DueList] = Number(row.n);
  return out;
}

export type DueRow = { key: KeyRow; dueAt: Date; reimportDaysBefore: number; source: PolicySource };

/** One page of one due list, earliest due first. */
export async function dueRows(db: Db, list: DueList, now: Date, scope: Scope, paging: { limit: number; offset: number }): Promise<DueRow[]> {
  const rows = await db
    .select({ key: keyColumns, dueAt, reimportDays, source })
    .from(k)
    .leftJoin(own, ownJoin)
    .leftJoin(account, accountJoin)
    .where(and(dueWhere(now, scope), sql`${dueBucketSql(now)} = ${list}`))
    .orderBy(asc(dueAt), asc(k.targetId), asc(k.region), asc(k.keyId))
    .limit(paging.limit)
    .offset(paging.offset);
  return rows.map((row) => ({ key: row.key, dueAt: toDate(row.dueAt), reimportDaysBefore: Number(row.reimportDays), source: row.source }));
}

// --- Scheduled rotations --------------------------------------------------------------------------------

/**
 * When Keyport last brought new material into each key (importsOfKeys' lastNewMaterialAt): one aggregate over
 * the imports, joined by key, rather than a lookup per candidate (which cost most of the count at 20,000 keys).
 */
const lastNew = sql`(SELECT ${r.targetId} AS target_id, ${r.region} AS region, ${r.keyId} AS key_id, max(${r.closedAt}) AS at FROM ${r}
  WHERE ${r.state} = 'imported' AND (${r.kind} = 'rotate' OR (${r.kind} = 'import' AND ${r.importType} = 'NEW_KEY_MATERIAL'))
  GROUP BY 1, 2, 3) AS last_new`;
const lastNewJoin = sql`last_new.target_id = ${k.targetId} AND last_new.region = ${k.region} AND last_new.key_id = ${k.keyId}`;
const since = sql`greatest(${s.currentSince}, last_new.at)`;
const summaryJoin = and(eq(s.targetId, k.targetId), eq(s.region, k.region), eq(s.keyId, k.keyId));

/**
 * Where each candidate stands at `now`, in the order ./rotations.ts `storedRotations` and ./policy.ts
 * `rotationStatus` decide it: blocked for the key itself (multi-Region, not enabled), unread while the stored
 * summary is not of the current material, blocked when the material's age is unknown, stopped at the
 * limit, else due or scheduled.
 */
function rotationStateSql(now: Date): SQL<RotationState> {
  return sql<RotationState>`CASE
    WHEN coalesce(${k.multiRegion}, false) OR ${k.keyState} IS DISTINCT FROM 'Enabled' THEN 'blocked'
    WHEN ${s.keyMaterialId} IS NULL OR ${k.currentKeyMaterialId} IS NULL OR ${s.keyMaterialId} <> ${k.currentKeyMaterialId} THEN 'unread'
    WHEN ${since} IS NULL THEN 'blocked'
    WHEN ${s.onDemandRotations} >= ${ROTATION_LIMIT} THEN 'limit_reached'
    WHEN ${since} + ${days(everyDays)} <= ${now} THEN 'due'
    ELSE 'scheduled' END`;
}

function rotationWhere(scope: Scope): SQL {
  // Only symmetric keys take new material on a schedule (setPolicy refuses the others a key's own).
  return and(eq(k.origin, "EXTERNAL"), eq(k.keySpec, "SYMMETRIC_DEFAULT"), isNotNull(everyDays), scope.target ? eq(k.targetId, scope.target) : undefined)!;
}

/** How many scheduled rotations stand in each state (one GROUP BY). */
export async function rotationCounts(db: Db, now: Date, scope: Scope = {}): Promise<Record<RotationState, number>> {
  const state = rotationStateSql(now);
  const rows = await db
    .select({ state, n: count() })
    .from(k)
    .leftJoin(own, ownJoin)
    .leftJoin(account, accountJoin)
    .leftJoin(s, summaryJoin)
    .leftJoin(lastNew, lastNewJoin)
    .where(rotationWhere(scope))
    .groupBy(sql.raw("1"));
  const out: Record<RotationState, number> = { due: 0, scheduled: 0, limit_reached: 0, blocked: 0, unread: 0 };
  for (const row of rows) out[row.state] = Number(row.n);
  return out;
}

export type Candidate = { key: KeyRow; everyDays: number; policy: { source: PolicySource; rotateEveryDays: number } };

const candidateColumns = { key: keyColumns, everyDays, source };
const toCandidate = (row: { key: KeyRow; everyDays: number | null; source: PolicySource }): Candidate => ({
  key: row.key,
  everyDays: Number(row.everyDays),
  policy: { source: row.source, rotateEveryDays: Number(row.everyDays) },
});

/** One page of the keys rotating on a schedule (in one state, if given), by account, Region and key. */
export async function rotationRows(
  db: Db,
  now: Date,
  scope: Scope & { state?: RotationState },
  paging: { limit: number; offset: number },
): Promise<Array<Candidate & { state: RotationState }>> {
  const state = rotationStateSql(now);
  const rows = await db
    .select({ ...candidateColumns, state })
    .from(k)
    .leftJoin(own, ownJoin)
    .leftJoin(account, accountJoin)
    .leftJoin(s, summaryJoin)
    .leftJoin(lastNew, lastNewJoin)
    .where(and(rotationWhere(scope), scope.state ? sql`${state} = ${scope.state}` : undefined))
    .orderBy(asc(k.targetId), asc(k.region), asc(k.keyId))
    .limit(paging.limit)
    .offset(paging.offset);
  return rows.map((row) => ({ ...toCandidate(row), state: row.state }));
}

/**
 * The candidates after `after` (account, Region, key order), `limit` of them: the rotation pass walks every
 * candidate this way, a chunk at a time, however many there are.
 */
export async function rotationCandidatesAfter(db: Db, after: KeyRef | null, limit: number): Promise<Candidate[]> {
  const past = after
    ? or(
        gt(k.targetId, after.targetId),
        and(eq(k.targetId, after.targetId), gt(k.region, after.region)),
        and(eq(k.targetId, after.targetId), eq(k.region, after.region), gt(k.keyId, after.keyId)),
      )
    : undefined;
  const rows = await db
    .select(candidateColumns)
    .from(k)
    .leftJoin(own, ownJoin)
    .leftJoin(account, accountJoin)
    .where(and(rotationWhere({}), past))
    .orderBy(asc(k.targetId), asc(k.region), asc(k.keyId))
    .limit(limit);
  return rows.map(toCandidate);
}

// --- ValidTo ahead --------------------------------------------------------------------------------------

export type TimelineCell = { targetId: string; region: string; week: number; inWarning: boolean; keys: number; meanValidTo: Date };

function aheadWhere(now: Date, end: Date, scope: Scope): SQL {
  return and(eq(k.origin, "EXTERNAL"), gte(k.validTo, now), lt(k.validTo, end), scope.target ? eq(k.targetId, scope.target) : undefined)!;
}

/**
 * Every ValidTo from now to `days` ahead, counted per account, Region and week (and whether in the warning
 * window): at most rows × weeks × 2 cells, whatever the number of keys.
 */
export async function timelineCells(db: Db, now: Date, opts: { days: number; warningDays: number } & Scope): Promise<TimelineCell[]> {
  const end = new Date(now.getTime() + opts.days * DAY_MS);
  const warningEnd = new Date(now.getTime() + opts.warningDays * DAY_MS);
  const week = sql<number>`floor(extract(epoch from (${k.validTo} - ${now}::timestamptz)) / ${7 * 86400})`;
  const rows = await db
    .select({
      targetId: k.targetId,
      region: k.region,
      week,
      inWarning: sql<boolean>`(${k.validTo} <= ${warningEnd})`,
      n: count(),
      mean: sql<string>`avg(extract(epoch from ${k.validTo}))`,
    })
    .from(k)
    .where(aheadWhere(now, end, opts))
    .groupBy(sql.raw("1"), sql.raw("2"), sql.raw("3"), sql.raw("4"))
    .orderBy(sql.raw("1"), sql.raw("2"), sql.raw("3"), sql.raw("4"));
  return rows.map((row) => ({
    targetId: row.targetId,
    region: row.region,
    week: Number(row.week),
    inWarning: row.inWarning === true || (row.inWarning as unknown) === "t",
    keys: Number(row.n),
    meanValidTo: new Date(Number(row.mean) * 1000),
  }));
}

/** One page of the keys whose ValidTo falls from now to `end`, soonest first, and how many there are. */
export async function keysAhead(db: Db, now: Date, end: Date, scope: Scope, paging: { limit: number; offset: number }) {
  const where = aheadWhere(now, end, scope);
  const [rows, totals] = await Promise.all([
    db.select(keyColumns).from(k).where(where).orderBy(asc(k.validTo), asc(k.targetId), asc(k.region), asc(k.keyId)).limit(paging.limit).offset(paging.offset),
    db.select({ n: count() }).from(k).where(where),
  ]);
  return { rows, total: Number(totals[0]?.n ?? 0) };
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}
