import "server-only";
import { latestEventsPerRequest } from "@/lib/audit";
import type { Db } from "@/lib/db";
import { listExternalKeys, type KeyRow } from "@/lib/inventory/queries";
import type { ImportDeps } from "./deps";
import { expiringRow, keyWaitingRow, openRequestRow, type PendingExportList, type PendingExportRow, type TargetNames } from "./pending-export";
import type { RequestListRow } from "./queries";
import { listImportRequests } from "./read";

/**
 * What the pending view of /imports lists, read once for the page and for its exports so both show the same
 * rows: open requests, EXTERNAL keys still waiting for key material, key material expiring soon, and who
 * downloaded each open request's parameters (from the `import.downloaded` audit events, never guessed).
 */

const DAY_MS = 24 * 3600_000;

/** Rows per list on the page; the export reads further (PENDING_EXPORT_MAX_ROWS). */
export const PENDING_PAGE_ROWS = 200;
/** The most rows one export carries: past it the export says it is truncated instead of growing without end. */
export const PENDING_EXPORT_MAX_ROWS = 5000;
/** Downloads shown per request on the page; the export carries more of them. */
export const DOWNLOADS_ON_PAGE = 3;
export const DOWNLOADS_IN_EXPORT = 10;

export type KeyList = { rows: KeyRow[]; total: number };
export type PendingLists = { open: RequestListRow[]; openTruncated: boolean; pendingKeys: KeyList; expiring: KeyList };

export async function pendingLists(deps: Pick<ImportDeps, "db" | "now">, opts: { warningDays: number; limit: number }): Promise<PendingLists> {
  const now = deps.now().getTime();
  const page = { page: 1, pageSize: opts.limit };
  const [open, pendingKeys, expiring] = await Promise.all([
    // One more than asked for: whether there were more is worth saying in an export.
    listImportRequests(deps, { open: true }, opts.limit + 1),
    listExternalKeys(deps.db, { state: "PendingImport" }, { sort: "alias", direction: "asc", ...page }),
    listExternalKeys(deps.db, { state: "Enabled", expiringBefore: new Date(now + opts.warningDays * DAY_MS) }, { sort: "validTo", direction: "asc", ...page }),
  ]);
  return { open: open.slice(0, opts.limit), openTruncated: open.length > opts.limit, pendingKeys, expiring };
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

/** One list of the pending view as export rows, at most PENDING_EXPORT_MAX_ROWS of them. */
export async function pendingExportRows(
  deps: Pick<ImportDeps, "db" | "now">,
  list: PendingExportList,
  opts: { targets: TargetNames; warningDays: number },
): Promise<{ rows: PendingExportRow[]; truncated: boolean }> {
  const lists = await pendingLists(deps, { warningDays: opts.warningDays, limit: PENDING_EXPORT_MAX_ROWS });
  if (list === "expiring") {
    return { rows: lists.expiring.rows.map((key) => expiringRow(key, opts.targets)), truncated: lists.expiring.total > lists.expiring.rows.length };
  }
  if (list === "keys-waiting") {
    const openByKey = new Map(lists.open.map((r) => [`${r.targetId}|${r.region}|${r.keyId}`, r]));
    return {
      rows: lists.pendingKeys.rows.map((key) => keyWaitingRow(key, opts.targets, openByKey.get(`${key.targetId}|${key.region}|${key.keyId}`))),
      truncated: lists.pendingKeys.total > lists.pendingKeys.rows.length,
    };
  }
  const downloads = await downloadsByRequest(deps.db, lists.open.map((r) => r.id), DOWNLOADS_IN_EXPORT);
  return { rows: lists.open.map((r) => openRequestRow(r, opts.targets, downloads.get(r.id))), truncated: lists.openTruncated };
}
