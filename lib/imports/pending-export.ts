import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { one } from "@/lib/validation";
import type { KeyRow } from "@/lib/inventory/queries";
import { kindLabel, labelOf } from "./labels";
import { pendingExportFilterFields } from "./pending-filter-schemas";
import type { PendingFilter, PendingList } from "./pending-filters";
import type { DownloadSummary } from "./pending";
import type { RequestListRow } from "./queries";

/**
 * The pending view's lists as files an auditor attaches to a ticket: CSV (RFC 4180 by csv-stringify, CRLF,
 * a header row) or one JSON document. Times are ISO 8601 UTC with milliseconds; an empty CSV field is
 * "none". Cells a spreadsheet would run as a formula (starting = + - @) get a leading ' (csv-stringify's
 * escape_formulas): names and descriptions come from outside Keyport. Pure: no database.
 */

export const PENDING_EXPORT_LISTS = ["keys-waiting", "open-requests", "expiring"] as const;
export type PendingExportList = (typeof PENDING_EXPORT_LISTS)[number];
export const PENDING_EXPORT_FORMATS = ["csv", "json"] as const;
export type PendingExportFormat = (typeof PENDING_EXPORT_FORMATS)[number];

export const PENDING_LIST_TITLES: Record<PendingExportList, string> = {
  "keys-waiting": "Keys waiting for key material",
  "open-requests": "Open import requests",
  expiring: "Key material expiring",
};

/** The list, the format and the pending view's filters (group: which open requests; expiry: which bucket). */
export const pendingExportQuerySchema = z
  .object({
    list: one(z.enum(PENDING_EXPORT_LISTS, { error: "Choose list=keys-waiting, list=open-requests or list=expiring." })),
    format: one(z.enum(PENDING_EXPORT_FORMATS, { error: "Choose format=csv or format=json." })),
    ...pendingExportFilterFields,
  })
  .strict();
export type PendingExportQuery = z.output<typeof pendingExportQuerySchema>;

/** The export of the list a section of the pending view shows, with the view's filters. */
export function pendingExportHref(list: PendingList, format: PendingExportFormat, filter: PendingFilter): string {
  const params = new URLSearchParams();
  const exportList: PendingExportList = list === "keys-waiting" || list === "expiring" ? list : "open-requests";
  params.set("list", exportList);
  params.set("format", format);
  if (exportList === "open-requests") params.set("group", list);
  if (filter.target) params.set("target", filter.target);
  if (filter.region) params.set("region", filter.region);
  if (filter.q) params.set("q", filter.q);
  if (filter.expiry && list === "expiring") params.set("expiry", filter.expiry);
  return `/api/imports/pending/export?${params.toString()}`;
}

export const PENDING_EXPORT_CONTENT_TYPE: Record<PendingExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
};

type Cell = string | number | null;
export type PendingExportRow = Record<string, Cell | DownloadCell[]>;
type DownloadCell = { at: string; file: string; by_id: string; by_name: string | null; parameter_set_id: string | null; sha256: string | null };
export type TargetNames = ReadonlyMap<string, { name: string; accountId: string }>;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

const keyColumns = ["account_name", "account_id", "region", "key_id", "key_arn", "alias", "key_spec", "key_state"] as const;
export const PENDING_EXPORT_COLUMNS: Record<PendingExportList, readonly string[]> = {
  "keys-waiting": [...keyColumns, "open_request_id", "open_request_state", "inventory_described_at"],
  expiring: [...keyColumns, "expiration_model", "valid_to", "current_key_material_id", "inventory_described_at"],
  "open-requests": [
    "request_id",
    "kind",
    "state",
    "account_name",
    "account_id",
    "region",
    "key_id",
    "key_arn",
    "alias",
    "key_spec",
    "wrapping_algorithm",
    "wrapping_key_spec",
    "requested_by_name",
    "requested_by_id",
    "requested_at",
    "parameters_valid_to",
    "public_key_sha256",
    "import_token_sha256",
    "uploaded_by_name",
    "uploaded_by_id",
    "blob_sha256",
    "updated_at",
    "downloads_total",
    "downloads_latest",
  ],
};

function keyCells(key: KeyRow, targets: TargetNames): PendingExportRow {
  return {
    account_name: targets.get(key.targetId)?.name ?? key.targetId,
    account_id: key.accountId,
    region: key.region,
    key_id: key.keyId,
    key_arn: key.arn,
    alias: key.aliases[0] ?? null,
    key_spec: key.keySpec,
    key_state: key.keyState,
  };
}

export function keyWaitingRow(key: KeyRow, targets: TargetNames, open: Pick<RequestListRow, "id" | "state" | "kind"> | undefined): PendingExportRow {
  return {
    ...keyCells(key, targets),
    open_request_id: open?.id ?? null,
    open_request_state: open ? labelOf(open.state, open.kind) : null,
    inventory_described_at: iso(key.lastDescribedAt),
  };
}

export function expiringRow(key: KeyRow, targets: TargetNames): PendingExportRow {
  return {
    ...keyCells(key, targets),
    expiration_model: key.expirationModel,
    valid_to: iso(key.validTo),
    current_key_material_id: key.currentKeyMaterialId,
    inventory_described_at: iso(key.lastDescribedAt),
  };
}

export function openRequestRow(request: RequestListRow, targets: TargetNames, downloads: DownloadSummary | undefined): PendingExportRow {
  return {
    request_id: request.id,
    kind: kindLabel(request.kind),
    state: labelOf(request.state, request.kind),
    account_name: targets.get(request.targetId)?.name ?? request.targetId,
    account_id: request.keyArn.split(":")[4] ?? null,
    region: request.region,
    key_id: request.keyId,
    key_arn: request.keyArn,
    alias: request.alias,
    key_spec: request.keySpec,
    wrapping_algorithm: request.wrappingAlgorithm,
    wrapping_key_spec: request.wrappingKeySpec,
    requested_by_name: request.requestedByName,
    requested_by_id: request.requestedBySubject,
    requested_at: iso(request.createdAt),
    parameters_valid_to: iso(request.parametersValidTo),
    public_key_sha256: request.publicKeySha256,
    import_token_sha256: request.importTokenSha256,
    uploaded_by_name: request.uploadedByName,
    uploaded_by_id: request.uploadedBySubject,
    blob_sha256: request.blobSha256,
    updated_at: iso(request.updatedAt),
    downloads_total: downloads?.total ?? 0,
    downloads_latest: (downloads?.latest ?? []).map((d) => ({
      at: d.at.toISOString(),
      file: d.file,
      by_id: d.subject,
      by_name: d.name,
      parameter_set_id: d.parameterSetId,
      sha256: d.sha256,
    })),
  };
}

/** A download in one CSV cell: "2026-12-01T18:04:05.000Z ImportToken.bin by Casey Nakamura <demo-casey>". */
function downloadText(d: DownloadCell): string {
  return `${d.at} ${d.file} by ${d.by_name ? `${d.by_name} <${d.by_id}>` : d.by_id}`;
}

export function toCsv(list: PendingExportList, rows: readonly PendingExportRow[]): string {
  const columns = PENDING_EXPORT_COLUMNS[list];
  const records = rows.map((row) => columns.map((c) => {
    const v = row[c];
    return Array.isArray(v) ? v.map(downloadText).join("; ") : (v ?? null);
  }));
  return stringify(records, { header: true, columns: [...columns], record_delimiter: "\r\n", escape_formulas: true });
}

export type PendingExportMeta = {
  generatedAt: Date;
  generatedBy: { id: string; name: string | null };
  /** The list holds more rows than one export carries (PENDING_EXPORT_MAX_ROWS). */
  truncated: boolean;
};

export function toJson(list: PendingExportList, rows: readonly PendingExportRow[], meta: PendingExportMeta): string {
  const document = {
    list,
    title: PENDING_LIST_TITLES[list],
    generated_at: meta.generatedAt.toISOString(),
    generated_by: meta.generatedBy,
    row_count: rows.length,
    truncated: meta.truncated,
    columns: PENDING_EXPORT_COLUMNS[list],
    rows,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** `keyport-pending-open-requests-20261201-183000.csv`: the list and the UTC time it was taken. */
export function pendingExportFilename(list: PendingExportList, format: PendingExportFormat, at: Date): string {
  const stamp = at.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  return `keyport-pending-${list}-${stamp}.${format}`;
}
