import "server-only";
import { desc, lt } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { GENESIS_HASH } from "./canonical";
import type { AuditEvent, AuditFilter } from "./events";
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
