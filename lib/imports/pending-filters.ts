/**
 * The pending view's lists and filters as they live in the URL and in its exports. Pure (no server-only, no
 * validation library: the filter form runs in the browser); ./pending-filter-schemas reads them.
 *
 * The view shows one overview (counts, then the first rows of every list) or one list at a time
 * (`list=`), paged with `page=`: one page parameter reads better than one per list, and a list alone is
 * what a person filtering thousands of keys wants to page through.
 */

/** The lists of the pending view. Open requests are split by what they wait for. */
export const PENDING_LISTS = ["outstanding", "awaiting", "attention", "keys-waiting", "expiring"] as const;
export type PendingList = (typeof PENDING_LISTS)[number];
/** The three lists of open requests, by what each waits for (see pending-queries.ts `requestGroup`). */
export const REQUEST_GROUPS = ["outstanding", "awaiting", "attention"] as const satisfies readonly PendingList[];
export type RequestGroup = (typeof REQUEST_GROUPS)[number];

export const PENDING_LIST_HEADINGS: Record<PendingList, string> = {
  outstanding: "Import parameters outstanding",
  awaiting: "Awaiting approval",
  attention: "Failed or expired, not closed",
  "keys-waiting": "Keys waiting for key material",
  expiring: "Key material expiring",
};

/** Days-to-expiry buckets of expiring material: disjoint, each from the previous bound up to its own. */
export const EXPIRY_BUCKETS = ["expired", "7d", "30d", "window"] as const;
export type ExpiryBucket = (typeof EXPIRY_BUCKETS)[number];

const DAY_MS = 24 * 3600_000;

export type BucketRange = { bucket: ExpiryBucket; label: string; from: Date | null; before: Date };

/**
 * The buckets that exist for a warning window of `warningDays`: expired, ≤ 7 days, 8–30 days and the rest of
 * the window. Bounds at or past the window are dropped (a 14-day window has expired, ≤ 7 days, 8–14 days).
 */
export function expiryBuckets(nowMs: number, warningDays: number): BucketRange[] {
  const at = (days: number) => new Date(nowMs + days * DAY_MS);
  const out: BucketRange[] = [{ bucket: "expired", label: "Expired", from: null, before: at(0) }];
  let lower = 0;
  for (const [bucket, days] of [["7d", 7], ["30d", 30]] as const) {
    if (days >= warningDays) break;
    out.push({ bucket, label: lower === 0 ? `≤ ${days} days` : `${lower + 1}–${days} days`, from: at(lower), before: at(days) });
    lower = days;
  }
  out.push({ bucket: "window", label: lower === 0 ? `≤ ${warningDays} days` : `${lower + 1}–${warningDays} days`, from: at(lower), before: at(warningDays) });
  return out;
}

/** The bounds of one bucket, or of the whole window (expired included) when none is chosen. */
export function expiryRange(nowMs: number, warningDays: number, bucket: ExpiryBucket | undefined): { from: Date | null; before: Date } {
  const buckets = expiryBuckets(nowMs, warningDays);
  const found = bucket && buckets.find((b) => b.bucket === bucket);
  // A bucket the window does not have (30d under a 14-day window) falls back to the whole window.
  return found ? { from: found.from, before: found.before } : { from: null, before: buckets[buckets.length - 1]!.before };
}

export type PendingFilter = { target?: string; region?: string; q?: string; expiry?: ExpiryBucket };

export type PendingQuery = PendingFilter & { list?: PendingList; page?: number };

/** The filters as URL parameters, defaults dropped so links stay short. */
export function pendingParams(query: PendingQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.list) params.set("list", query.list);
  if (query.target) params.set("target", query.target);
  if (query.region) params.set("region", query.region);
  if (query.q) params.set("q", query.q);
  if (query.expiry) params.set("expiry", query.expiry);
  if (query.page && query.page > 1) params.set("page", String(query.page));
  return params;
}

/** `/imports?…` for a pending view state. */
export function pendingHref(query: PendingQuery, hash?: string): string {
  const s = pendingParams(query).toString();
  return `/imports${s ? `?${s}` : ""}${hash ? `#${hash}` : ""}`;
}

export function isFiltered(filter: PendingFilter): boolean {
  return !!(filter.target || filter.region || filter.q || filter.expiry);
}
