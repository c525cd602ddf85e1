import "server-only";
import { latestEventsPerRequest } from "@/lib/audit";
import type { Db } from "@/lib/db";
import { listExternalKeys, pageExternalKeys, type KeyFilter, type KeyRow } from "@/lib/inventory/queries";
import type { ImportDeps } from "./deps";
import { expiringRow, keyWaitingRow, openRequestRow, type PendingExportList, type PendingExportRow, type TargetNames } from "./pending-export";
import { expiryRange, type ExpiryBucket, type PendingFilter, type PendingList, type RequestGroup } from "./pending-filters";
import { pagedRequests, type CountKind, type ScopeCounts } from "./pending-queries";
import type { RequestListRow } from "./queries";
import { keyRefId } from "@/lib/inventory/material-summary";
import { openRequestByKey } from "./read";

/**
 * What the pending view of /imports lists, read the same way for the page and for its exports so both show
 * the same rows: open requests by what they wait for, EXTERNAL keys still waiting for key material, key
 * material expiring soon, and who downloaded each open request's parameters (from the `import.downloaded`
 * audit events, never guessed). Every read is one page (or one export) of one list, filtered in SQL.
 */

/** Rows per list in the overview, where every list shows its first rows and links to the rest. */
export const PENDING_PREVIEW_ROWS = 10;
/** Rows per page of one list shown alone (`list=`). */
export const PENDING_PAGE_ROWS = 50;
/** The most rows one export carries: past it the export says it is truncated instead of growing without end. */
export const PENDING_EXPORT_MAX_ROWS = 5000;
/** Downloads shown per request on the page; the export carries more of them. */
export const DOWNLOADS_ON_PAGE = 3;
export const DOWNLOADS_IN_EXPORT = 10;

export type KeyList = { rows: KeyRow[]; total: number };
export type RequestList = { rows: RequestListRow[]; total: number };
type Window = { now: Date; warningDays: number };
type Paging = { limit: number; offset: number };

/** The inventory filter of a key list: waiting keys ignore the expiry bucket, expiring keys are bounded by it. */
function keyFilter(list: "keys-waiting" | "expiring", filter: PendingFilter, window: Window): KeyFilter {
  const base = { targetId: filter.target, region: filter.region, text: filter.q };
  if (list === "keys-waiting") return { ...base, state: "PendingImport" };
  const range = expiryRange(window.now.getTime(), window.warningDays, filter.expiry);
  return { ...base, state: "Enabled", expiringBefore: range.before, expiringFrom: range.from ?? undefined };
}

/**
 * One page of a key list and how many keys match. With `total` (known from the grouped counts) only the page
 * is read: at 20,000 keys the count is what costs.
 */
export async function pendingKeys(
  db: Db,
  list: "keys-waiting" | "expiring",
  filter: PendingFilter,
  opts: Window & Paging & { total?: number },
): Promise<KeyList> {
  // The inventory pages by page number: every offset used here is a whole number of pages.
  const options = {
    sort: list === "keys-waiting" ? ("alias" as const) : ("validTo" as const),
    direction: "asc" as const,
    page: Math.floor(opts.offset / opts.limit) + 1,
    pageSize: opts.limit,
  };
  const where = keyFilter(list, filter, opts);
  if (opts.total !== undefined) return { rows: opts.total ? await pageExternalKeys(db, where, options) : [], total: opts.total };
  return listExternalKeys(db, where, options);
}

export async function pendingRequests(
  db: Db,
  group: RequestGroup | undefined,
  filter: PendingFilter,
  opts: Window & Paging & { total?: number },
): Promise<RequestList> {
  return pagedRequests(db, group, filter, opts);
}

/**
 * How many a list holds under `filter`, from the grouped counts, when the filter is one they are grouped by
 * (account, Region, expiry bucket); undefined under a text search, which only the list's own count answers.
 */
export function totalFromCounts(scopes: readonly ScopeCounts[], list: PendingList, filter: PendingFilter, buckets: readonly ExpiryBucket[]): number | undefined {
  if (filter.q) return undefined;
  const kinds: CountKind[] = list === "expiring" ? (filter.expiry ? (buckets.includes(filter.expiry) ? [filter.expiry] : [...buckets]) : [...buckets]) : [list];
  return scopes
    .filter((s) => (!filter.target || s.targetId === filter.target) && (!filter.region || s.region === filter.region))
    .reduce((n, s) => n + kinds.reduce((m, kind) => m + (s.counts[kind] ?? 0), 0), 0);
}

/** One download of import parameters, as the audit trail recorded it. */
export type DownloadRecord = {
  file: string;
  at: Date;
  subject: string;
  name: string | null;
  /** The parameter set handed out: a reissued request's older downloads name a set no longer current. */
  parameterSetId: string | null;
  sha256: string | null;
};
export type DownloadSummary = { latest: DownloadRecord[]; total: number };

const text = (v: unknown) => (typeof v === "string" ? v : null);

/** The newest `perRequest` downloads of each request, and how many there were in all: one query for the list. */
export async function downloadsByRequest(db: Db, requestIds: readonly string[], perRequest: number): Promise<Map<string, DownloadSummary>> {
  const found = await latestEventsPerRequest(db, "import.downloaded", requestIds, perRequest);
  return new Map(
    [...found].map(([requestId, { events, total }]) => [
      requestId,
      {
        total,
        latest: events.map((e) => ({
          file: text(e.details.file) ?? "(file not recorded)",
          at: e.at,
          subject: e.actor.subject,
          name: e.actor.name,
          parameterSetId: text(e.details.parameterSetId),
          sha256: text(e.details.sha256),
        })),
      },
    ]),
  );
}

/** One list of the pending view as export rows, with the page's filters, at most PENDING_EXPORT_MAX_ROWS of them. */
export async function pendingExportRows(
  deps: Pick<ImportDeps, "db" | "now">,
  list: PendingExportList,
  opts: { targets: TargetNames; warningDays: number; filter?: PendingFilter; group?: RequestGroup },
): Promise<{ rows: PendingExportRow[]; truncated: boolean }> {
  const window = { now: deps.now(), warningDays: opts.warningDays, limit: PENDING_EXPORT_MAX_ROWS, offset: 0 };
  const filter = opts.filter ?? {};
  if (list === "expiring") {
    const keys = await pendingKeys(deps.db, "expiring", filter, window);
    return { rows: keys.rows.map((key) => expiringRow(key, opts.targets)), truncated: keys.total > keys.rows.length };
  }
  if (list === "keys-waiting") {
    const keys = await pendingKeys(deps.db, "keys-waiting", filter, window);
    const openByKey = await openRequestByKey(deps, keys.rows);
    return {
      rows: keys.rows.map((key) => keyWaitingRow(key, opts.targets, openByKey.get(keyRefId(key)))),
      truncated: keys.total > keys.rows.length,
    };
  }
  const open = await pendingRequests(deps.db, opts.group, filter, window);
  const downloads = await downloadsByRequest(deps.db, open.rows.map((r) => r.id), DOWNLOADS_IN_EXPORT);
  return { rows: open.rows.map((r) => openRequestRow(r, opts.targets, downloads.get(r.id))), truncated: open.total > open.rows.length };
}
