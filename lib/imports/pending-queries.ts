import "server-only";
import { and, count, desc, eq, ilike, isNull, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { tables } from "@/lib/db";
import { expiryBuckets, type ExpiryBucket, type PendingFilter, type RequestGroup } from "./pending-filters";
import { expiredByToken, listSelect, type RequestListRow } from "./queries";
import { effectiveState } from "./states";

/**
 * The SQL behind the pending view that grows with the estate: counts grouped by account, Region and what is
 * pending (GROUP BY, never by loading rows), and the open requests of one list, paged. Keys are paged by
 * lib/inventory/key-list.ts, shared with /keys.
 */

const r = tables.importRequests;
const p = tables.parameterSets;
const k = tables.inventoryKeys;
const d = tables.driftFindings;

/**
 * Which list an open request belongs to, in SQL, as `effectiveState` (./states.ts) decides it at `now`: a
 * request whose token has passed ParametersValidTo is expired before the sweep records it, unless it cannot
 * expire (a deletion has no token; a rotation whose material is in KMS can only be retried or cancelled).
 * Only meaningful under `openCondition` (final states have no list).
 */
export function requestGroup(now: Date): SQL<RequestGroup> {
  return sql<RequestGroup>`CASE
    WHEN ${r.state} IN ('failed', 'expired') OR ${expiredByToken(now)} THEN 'attention'
    WHEN ${r.state} IN ('draft', 'parameters_issued') THEN 'outstanding'
    ELSE 'awaiting' END`;
}

const open = sql`${r.state} NOT IN ('imported', 'rejected', 'cancelled')`;
const currentParameters = and(eq(p.requestId, r.id), isNull(p.supersededAt));

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Open requests of one list matching the filter (account, Region, text in alias, key id, ARN or request id). */
function requestWhere(group: RequestGroup | undefined, filter: PendingFilter, now: Date): SQL {
  const conditions: SQL[] = [open];
  if (group) conditions.push(sql`${requestGroup(now)} = ${group}`);
  if (filter.target) conditions.push(eq(r.targetId, filter.target));
  if (filter.region) conditions.push(eq(r.region, filter.region));
  if (filter.q) {
    const pattern = likePattern(filter.q);
    conditions.push(
      or(ilike(r.keyId, pattern), ilike(r.keyArn, pattern), sql`${r.id}::text ILIKE ${pattern}`, sql`array_to_string(${k.aliases}, ' ') ILIKE ${pattern}`)!,
    );
  }
  return and(...conditions)!;
}

/** One page of one list of open requests, newest change first, each in its effective state, and how many match. */
export async function pagedRequests(
  db: Db,
  group: RequestGroup | undefined,
  filter: PendingFilter,
  /** `total`: how many match, when the caller knows (from pendingCounts); else counted here. */
  opts: { now: Date; limit: number; offset: number; total?: number },
): Promise<{ rows: RequestListRow[]; total: number }> {
  const where = requestWhere(group, filter, opts.now);
  const [rows, totals] = await Promise.all([
    opts.total === 0 ? [] : listSelect(db).where(where).orderBy(desc(r.updatedAt), desc(r.id)).limit(opts.limit).offset(opts.offset),
    opts.total !== undefined
      ? [{ n: opts.total }]
      : db
          .select({ n: count() })
          .from(r)
          .leftJoin(k, and(eq(k.targetId, r.targetId), eq(k.region, r.region), eq(k.keyId, r.keyId)))
          .leftJoin(p, currentParameters)
          .where(where),
  ]);
  const nowMs = opts.now.getTime();
  return {
    rows: rows.map((row) => {
      const state = effectiveState(row, row.parametersValidTo, nowMs);
      return state === row.state ? row : { ...row, state };
    }),
    total: totals[0]?.n ?? 0,
  };
}

/** What the counts panel counts, per account and Region. */
export type CountKind = RequestGroup | "keys-waiting" | ExpiryBucket | "drift";
export type ScopeCounts = { targetId: string; region: string; counts: Partial<Record<CountKind, number>> };

/**
 * Everything pending, counted per account and Region in three GROUP BY queries (keys, open requests, open
 * drift findings): EXTERNAL keys waiting for material, material expiring within the window by bucket, open
 * requests by list. `drift` is read only for those who may see it.
 */
export async function pendingCounts(db: Db, opts: { now: Date; warningDays: number; drift: boolean }): Promise<ScopeCounts[]> {
  const buckets = expiryBuckets(opts.now.getTime(), opts.warningDays);
  const windowEnd = buckets[buckets.length - 1]!.before;
  const bucketCase = sql.join(
    buckets.map((b) => sql`WHEN ${k.validTo} < ${b.before} THEN ${b.bucket}`),
    sql` `,
  );
  const keyKind = sql<string>`CASE WHEN ${k.keyState} = 'PendingImport' THEN 'keys-waiting' ${bucketCase} END`;
  const group = requestGroup(opts.now);
  const [keys, requests, drift] = await Promise.all([
    db
      .select({ targetId: k.targetId, region: k.region, kind: keyKind, n: count() })
      .from(k)
      .where(
        and(
          eq(k.origin, "EXTERNAL"),
          or(eq(k.keyState, "PendingImport"), and(eq(k.keyState, "Enabled"), sql`${k.validTo} < ${windowEnd}`)),
        ),
      )
      // By position: the CASE carries parameters, and PostgreSQL matches a grouped expression only to itself.
      .groupBy(sql.raw("1"), sql.raw("2"), sql.raw("3")),
    db
      .select({ targetId: r.targetId, region: r.region, kind: group, n: count() })
      .from(r)
      .leftJoin(p, currentParameters)
      .where(open)
      .groupBy(sql.raw("1"), sql.raw("2"), sql.raw("3")),
    opts.drift
      ? db
          .select({ targetId: d.targetId, region: d.region, kind: sql<string>`'drift'`, n: count() })
          .from(d)
          .where(isNull(d.acknowledgedAt))
          .groupBy(d.targetId, d.region)
      : Promise.resolve([]),
  ]);
  const scopes = new Map<string, ScopeCounts>();
  for (const row of [...keys, ...requests, ...drift]) {
    const id = `${row.targetId}|${row.region}`;
    const scope = scopes.get(id) ?? { targetId: row.targetId, region: row.region, counts: {} };
    const kind = row.kind as CountKind;
    scope.counts[kind] = (scope.counts[kind] ?? 0) + Number(row.n);
    scopes.set(id, scope);
  }
  return [...scopes.values()].sort((a, b) => a.targetId.localeCompare(b.targetId) || a.region.localeCompare(b.region));
}
