import "server-only";
import { and, desc, eq, inArray, lt, lte, sql } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { GENESIS_HASH } from "./canonical";
import type { AuditAction, AuditEvent, AuditFilter } from "./events";
import { auditEventColumns, auditFilterConditions, toAuditEvent, whereAll } from "./rows";

export type AuditPage = {
  /** Page size, 1–200 (default 50). */
  limit?: number;
  /** Cursor: list events with seq below this (the previous page's `nextBefore`). */
  before?: number;
};

export type AuditPageResult = { events: AuditEvent[]; nextBefore: number | null };

/** Newest first, keyset-paginated on seq, for the audit page. */
export async function listAuditEvents(db: Db, filter: AuditFilter = {}, page: AuditPage = {}): Promise<AuditPageResult> {
  const requested = page.limit !== undefined && Number.isFinite(page.limit) ? Math.trunc(page.limit) : 50;
  const limit = Math.min(Math.max(requested, 1), 200);
  if (page.before !== undefined && !Number.isSafeInteger(page.before)) throw new TypeError("The audit page cursor must be an integer seq.");
  const conditions = auditFilterConditions(filter);
  if (page.before !== undefined) conditions.push(lt(auditEvents.seq, page.before));
  const rows = await db
    .select(auditEventColumns)
    .from(auditEvents)
    .where(whereAll(conditions))
    .orderBy(desc(auditEvents.seq))
    .limit(limit + 1);
  const events = rows.slice(0, limit).map(toAuditEvent);
  const more = rows.length > limit;
  return { events, nextBefore: more ? (events[events.length - 1]?.seq ?? null) : null };
}

/** The end of the chain: how many events and the hash an auditor can note down to detect truncation later. */
export async function auditHead(db: Db): Promise<{ lastSeq: number; lastHash: string; lastAt: Date | null }> {
  const [last] = await db
    .select({ seq: auditEvents.seq, hash: auditEvents.hash, at: auditEvents.at })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return last ? { lastSeq: last.seq, lastHash: last.hash, lastAt: last.at } : { lastSeq: 0, lastHash: GENESIS_HASH, lastAt: null };
}

export type LatestPerRequest = Map<string, { events: AuditEvent[]; total: number }>;

/**
 * The newest `perRequest` events with `action` of each of `requestIds` (newest first), and how many each has
 * in all: one query for a whole list, ranked by a window over the (request_id, seq) index, so a page showing
 * a few events per row costs the same with ten rows as with two hundred. Requests without such events are
 * absent from the map.
 */
export async function latestEventsPerRequest(
  db: Db,
  action: AuditAction,
  requestIds: readonly string[],
  perRequest: number,
): Promise<LatestPerRequest> {
  const out: LatestPerRequest = new Map();
  const ids = [...new Set(requestIds)];
  if (ids.length === 0 || perRequest < 1) return out;
  const ranked = db
    .select({
      seq: auditEvents.seq,
      rank: sql<number>`row_number() over (partition by ${auditEvents.requestId} order by ${auditEvents.seq} desc)`.as("rank"),
      total: sql<number>`(count(*) over (partition by ${auditEvents.requestId}))::int`.as("total"),
    })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), inArray(auditEvents.requestId, ids)))
    .as("ranked");
  const rows = await db
    .select({ ...auditEventColumns, total: ranked.total })
    .from(auditEvents)
    .innerJoin(ranked, eq(ranked.seq, auditEvents.seq))
    .where(lte(ranked.rank, Math.trunc(perRequest)))
    .orderBy(desc(auditEvents.seq));
  for (const { total, ...row } of rows) {
    const requestId = row.requestId!;
    const entry = out.get(requestId) ?? { events: [], total: Number(total) };
    entry.events.push(toAuditEvent(row));
    out.set(requestId, entry);
  }
  return out;
}

/**
 * Per key ARN, the newest event of `action` whose details have `match` (e.g. `{ outcome: "deleted" }`) and after
 * which no event of `closedBy` was recorded for the same key: a state read from the trail itself, so it cannot
 * go stale as a stored flag could. One query over the (key_arn, seq) index for a whole page of keys.
 */
export async function standingEventsPerKey(
  db: Db,
  input: { action: AuditAction; match: Record<string, string>; closedBy: readonly AuditAction[]; keyArns: readonly string[] },
): Promise<Map<string, AuditEvent>> {
  const out = new Map<string, AuditEvent>();
  const arns = [...new Set(input.keyArns)];
  if (arns.length === 0) return out;
  const later = sql`SELECT 1 FROM ${auditEvents} AS closing WHERE closing.key_arn = ${auditEvents.keyArn}
    AND closing.seq > ${auditEvents.seq} AND closing.action IN (${sql.join(input.closedBy.map((a) => sql`${a}`), sql`, `)})`;
  const rows = await db
    .select(auditEventColumns)
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.action, input.action),
        inArray(auditEvents.keyArn, arns),
        ...Object.entries(input.match).map(([name, value]) => sql`${auditEvents.details} ->> ${name} = ${value}`),
        sql`NOT EXISTS (${later})`,
      ),
    )
    .orderBy(desc(auditEvents.seq));
  for (const row of rows) if (row.keyArn && !out.has(row.keyArn)) out.set(row.keyArn, toAuditEvent(row));
  return out;
}
