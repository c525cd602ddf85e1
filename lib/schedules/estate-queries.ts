import "server-only";
import { and, asc, count, eq, gt, gte, isNotNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { tables } from "@/lib/db";
import { keyColumns, type KeyRow } from "@/lib/inventory/queries";
import type { KeyRef } from "@/lib/inventory/material-summary";
import { DUE_LISTS, type DueList, type RotationState } from "./lists";
import { DAY_MS, type PolicySource } from "./policy";

/**
 * The SQL behind the schedules page and the rotation pass: reimports due and rotations counted and paged from
 * the schedule facts (./facts.ts, where the governing policy is worked out for every key), ValidTo ahead from
 * the inventory's ValidTo index, so every read is a range or one page whatever the size of the estate.
 * ./estate.ts adds what a page of rows needs besides.
 */

const k = tables.inventoryKeys;
const f = tables.scheduleFacts;
const factsJoin = and(eq(k.targetId, f.targetId), eq(k.region, f.region), eq(k.keyId, f.keyId));

export type Scope = { target?: string };

const inTarget = (scope: Scope) => (scope.target ? eq(f.targetId, scope.target) : undefined);

// --- Reimports due --------------------------------------------------------------------------------------

/** The due dates each list takes, as dueBucket (./policy.ts) decides them at `now`: from (inclusive), to. */
function dueRange(list: DueList, now: Date): [Date | null, Date] {
  const weeks = (n: number) => new Date(now.getTime() + n * 7 * DAY_MS);
  if (list === "overdue") return [null, now];
  return list === "this_week" ? [now, weeks(1)] : [weeks(1), weeks(2)];
}

function dueWhere(list: DueList, now: Date, scope: Scope): SQL {
  const [from, to] = dueRange(list, now);
  return and(isNotNull(f.reimportDueAt), from ? gte(f.reimportDueAt, from) : undefined, lt(f.reimportDueAt, to), inTarget(scope))!;
}

/** How many reimports fall in each due list: one range of the due-date index, no row of the inventory read. */
export async function dueCounts(db: Db, now: Date, scope: Scope = {}): Promise<Record<DueList, number>> {
  const [row] = await db
    .select(Object.fromEntries(DUE_LISTS.map((list) => [list, sql<number>`count(*) FILTER (WHERE ${dueWhere(list, now, scope)})`])) as Record<DueList, SQL<number>>)
    .from(f)
    .where(and(isNotNull(f.reimportDueAt), lt(f.reimportDueAt, dueRange("next_week", now)[1]), inTarget(scope)));
  return Object.fromEntries(DUE_LISTS.map((list) => [list, Number(row?.[list] ?? 0)])) as Record<DueList, number>;
}

export type DueRow = { key: KeyRow; dueAt: Date; reimportDaysBefore: number; source: PolicySource };

/** One page of one due list, earliest due first. */
export async function dueRows(db: Db, list: DueList, now: Date, scope: Scope, paging: { limit: number; offset: number }): Promise<DueRow[]> {
  const rows = await db
    .select({ key: keyColumns, dueAt: f.reimportDueAt, reimportDays: f.reimportDaysBefore, source: f.policySource })
    .from(f)
    .innerJoin(k, factsJoin)
    .where(dueWhere(list, now, scope))
    .orderBy(asc(f.reimportDueAt), asc(f.targetId), asc(f.region), asc(f.keyId))
    .limit(paging.limit)
    .offset(paging.offset);
  return rows.map((row) => ({ key: row.key, dueAt: row.dueAt!, reimportDaysBefore: Number(row.reimportDays), source: row.source as PolicySource }));
}

// --- Scheduled rotations --------------------------------------------------------------------------------

/** Where a rotation stands at `now`: its stored state, a timed one due from its `rotate_at` on. */
function rotationStateSql(now: Date): SQL<RotationState> {
  return sql<RotationState>`CASE WHEN ${f.rotation} = 'timed' THEN CASE WHEN ${f.rotateAt} <= ${now} THEN 'due' ELSE 'scheduled' END ELSE ${f.rotation} END`;
}

/** How many scheduled rotations stand in each state (one GROUP BY over the facts). */
export async function rotationCounts(db: Db, now: Date, scope: Scope = {}): Promise<Record<RotationState, number>> {
  const state = rotationStateSql(now);
  const rows = await db
    .select({ state, n: count() })
    .from(f)
    .where(and(isNotNull(f.rotation), inTarget(scope)))
    .groupBy(sql.raw("1"));
  const out: Record<RotationState, number> = { due: 0, scheduled: 0, limit_reached: 0, blocked: 0, unread: 0 };
  for (const row of rows) out[row.state] = Number(row.n);
  return out;
}

export type Candidate = { key: KeyRow; everyDays: number; policy: { source: PolicySource; rotateEveryDays: number } };

const candidateColumns = { key: keyColumns, everyDays: f.rotateEveryDays, source: f.policySource };
const toCandidate = (row: { key: KeyRow; everyDays: number | null; source: string }): Candidate => ({
  key: row.key,
  everyDays: Number(row.everyDays),
  policy: { source: row.source as PolicySource, rotateEveryDays: Number(row.everyDays) },
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
    .from(f)
    .innerJoin(k, factsJoin)
    .where(and(isNotNull(f.rotation), inTarget(scope), scope.state ? sql`${state} = ${scope.state}` : undefined))
    .orderBy(asc(f.targetId), asc(f.region), asc(f.keyId))
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
        gt(f.targetId, after.targetId),
        and(eq(f.targetId, after.targetId), gt(f.region, after.region)),
        and(eq(f.targetId, after.targetId), eq(f.region, after.region), gt(f.keyId, after.keyId)),
      )
    : undefined;
  const rows = await db
    .select(candidateColumns)
    .from(f)
    .innerJoin(k, factsJoin)
    .where(and(isNotNull(f.rotation), past))
    .orderBy(asc(f.targetId), asc(f.region), asc(f.keyId))
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

/**
 * One page of the keys whose ValidTo falls from now to `end`, soonest first. How many there are is the sum of
 * the timeline's cells, which the page reads anyway, so this counts nothing.
 */
export async function keysAhead(db: Db, now: Date, end: Date, scope: Scope, paging: { limit: number; offset: number }): Promise<KeyRow[]> {
  return db
    .select(keyColumns)
    .from(k)
    .where(aheadWhere(now, end, scope))
    .orderBy(asc(k.validTo), asc(k.targetId), asc(k.region), asc(k.keyId))
    .limit(paging.limit)
    .offset(paging.offset);
}
