import "server-only";
import { and, asc, desc, eq, gt, inArray, isNull, lte, sql, type SQL } from "drizzle-orm";
import { tables } from "@/lib/db";
import { openCondition, requestColumns, type Q, type RequestRow } from "./request-rows";
import type { RequestState } from "./states";

/** What pages list and count of the requests, with each one's current token and blob, and the stamps pages follow. */

const r = tables.importRequests;
const p = tables.parameterSets;
const b = tables.wrappedBlobs;
const a = tables.approvals;
const k = tables.inventoryKeys;

// --- lists for pages ----------------------------------------------------------------------------------------

/** A request with what a list shows beside it: the key's first alias, the current token and blob. */
export type RequestListRow = RequestRow & {
  alias: string | null;
  /** The current parameter set's id (null before any were issued): downloads name the set they handed out. */
  parameterSetId: string | null;
  parametersValidTo: Date | null;
  publicKeySha256: string | null;
  importTokenSha256: string | null;
  blobId: string | null;
  blobSha256: string | null;
  blobSize: number | null;
  uploadedBySubject: string | null;
  uploadedByName: string | null;
};

export function listSelect(q: Q) {
  return (
    q
      .select({
        ...requestColumns,
        // The alias is the inventory's (read-only join): requests keep no copy that could go stale.
        alias: sql<string | null>`${k.aliases}[1]`,
        parameterSetId: p.id,
        parametersValidTo: p.parametersValidTo,
        publicKeySha256: p.publicKeySha256,
        importTokenSha256: p.importTokenSha256,
        blobId: b.id,
        blobSha256: b.sha256,
        blobSize: b.size,
        uploadedBySubject: b.uploadedBySubject,
        uploadedByName: b.uploadedByName,
      })
      .from(r)
      .leftJoin(k, and(eq(k.targetId, r.targetId), eq(k.region, r.region), eq(k.keyId, r.keyId)))
      .leftJoin(p, and(eq(p.requestId, r.id), isNull(p.supersededAt)))
      .leftJoin(b, and(eq(b.requestId, r.id), isNull(b.supersededAt)))
  );
}

export async function getRequestListRow(q: Q, id: string): Promise<RequestListRow | null> {
  const rows = await listSelect(q).where(eq(r.id, id)).limit(1);
  return rows[0] ?? null;
}

/**
 * Whether a request's import token has passed and the request counts as expired though the sweep has not yet
 * recorded it: `effectiveState` (./states.ts) in SQL, over `listSelect`'s current parameter set. A deletion
 * has no token, and a rotation whose material is in KMS can only be retried or cancelled.
 */
export function expiredByToken(now: Date): SQL {
  return sql`coalesce(${p.parametersValidTo} <= ${now}
    AND ${r.state} IN ('parameters_issued', 'awaiting_approval', 'failed')
    AND ${r.kind} <> 'delete_material'
    AND NOT (${r.kind} = 'rotate' AND ${r.keyMaterialId} IS NOT NULL), false)`;
}

export type RequestListFilter = {
  states?: readonly RequestState[];
  /** Requests whose effective state at `now` is one of these (see expiredByToken). */
  effective?: { states: readonly RequestState[]; now: Date };
  open?: boolean;
  key?: { targetId: string; region: string; keyId: string };
};

function requestListWhere(filter: RequestListFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.states?.length) conditions.push(inArray(r.state, [...filter.states]));
  if (filter.effective) {
    const states = sql.join(filter.effective.states.map((state) => sql`${state}`), sql`, `);
    conditions.push(sql`(CASE WHEN ${expiredByToken(filter.effective.now)} THEN 'expired' ELSE ${r.state}::text END) IN (${states})`);
  }
  if (filter.open) conditions.push(openCondition());
  if (filter.key) conditions.push(eq(r.targetId, filter.key.targetId), eq(r.region, filter.key.region), eq(r.keyId, filter.key.keyId));
  return conditions.length ? and(...conditions) : undefined;
}

/** Requests newest first: at most `limit`, after skipping `offset` (a page of the full list). */
export async function listRequests(q: Q, filter: RequestListFilter, limit = 200, offset = 0): Promise<RequestListRow[]> {
  return listSelect(q).where(requestListWhere(filter)).orderBy(desc(r.updatedAt), desc(r.id)).limit(limit).offset(offset);
}

/** How many requests `filter` matches (the full list's pages). */
export async function countRequests(q: Q, filter: RequestListFilter): Promise<number> {
  const [row] = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(r)
    .leftJoin(p, and(eq(p.requestId, r.id), isNull(p.supersededAt)))
    .where(requestListWhere(filter));
  return row?.n ?? 0;
}

/** Counts per state, for the filter tabs. */
export async function countByState(q: Q): Promise<Partial<Record<RequestState, number>>> {
  const rows = await q.select({ state: r.state, n: sql<number>`count(*)::int` }).from(r).groupBy(r.state);
  return Object.fromEntries(rows.map((row) => [row.state, row.n]));
}

/** The newest open request of each of these keys (for the keys table). */
export async function openRequestsForKeys(
  q: Q,
  keys: ReadonlyArray<{ targetId: string; region: string; keyId: string }>,
): Promise<Array<Pick<RequestRow, "id" | "kind" | "state" | "targetId" | "region" | "keyId" | "keyMaterialId"> & { parametersValidTo: Date | null }>> {
  if (keys.length === 0) return [];
  const keyIds = [...new Set(keys.map((key) => key.keyId))];
  const rows = await q
    .select({
      id: r.id,
      kind: r.kind,
      state: r.state,
      targetId: r.targetId,
      region: r.region,
      keyId: r.keyId,
      keyMaterialId: r.keyMaterialId,
      parametersValidTo: p.parametersValidTo,
    })
    .from(r)
    .leftJoin(p, and(eq(p.requestId, r.id), isNull(p.supersededAt)))
    .where(and(inArray(r.keyId, keyIds), openCondition()))
    .orderBy(desc(r.createdAt));
  const wanted = new Set(keys.map((key) => `${key.targetId}|${key.region}|${key.keyId}`));
  return rows.filter((row) => wanted.has(`${row.targetId}|${row.region}|${row.keyId}`));
}

/** Requests in `states` whose current token expires after `from` and by `to` (the notice before expiry). */
export async function parametersExpiringWithin(q: Q, from: Date, to: Date, states: readonly RequestState[]): Promise<RequestListRow[]> {
  return listSelect(q)
    .where(and(inArray(r.state, [...states]), gt(p.parametersValidTo, from), lte(p.parametersValidTo, to)))
    .orderBy(asc(p.parametersValidTo))
    .limit(500);
}

// --- change stamps (pages follow what others do) ------------------------------------------------------

/** Changes whenever a request is created, changes state, or gets an approval: what the approvals queue shows. */
export async function requestsStamp(q: Q): Promise<string> {
  const [requests] = await q.select({ n: sql<number>`count(*)::int`, versions: sql<number>`coalesce(sum(${r.version}), 0)::int` }).from(r);
  const [approvals] = await q.select({ n: sql<number>`count(*)::int` }).from(a);
  return `${requests?.n ?? 0}.${requests?.versions ?? 0}.${approvals?.n ?? 0}`;
}

export async function requestVersion(q: Q, requestId: string): Promise<number | null> {
  const [row] = await q.select({ version: r.version }).from(r).where(eq(r.id, requestId));
  return row?.version ?? null;
}
