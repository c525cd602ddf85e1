import Link from "next/link";
import { redirect } from "next/navigation";
import { RequestsTable, type TargetNames } from "@/components/imports/requests-table";
import { Badge } from "@/components/ui/badge";
import { formatCount, formatRelative } from "@/components/ui/format";
import { Pagination, pageCount } from "@/components/ui/pagination";
import { AbsoluteTime } from "@/components/ui/timestamp";
import { importDeps } from "@/lib/imports";
import {
  DOWNLOADS_ON_PAGE,
  PENDING_PAGE_ROWS,
  PENDING_PREVIEW_ROWS,
  downloadsByRequest,
  pendingKeys,
  pendingRequests,
  totalFromCounts,
} from "@/lib/imports/pending";
import { PENDING_LIST_HEADINGS, expiryBuckets, isFiltered, pendingHref, type PendingFilter, type PendingList, type PendingQuery } from "@/lib/imports/pending-filters";
import { pendingCounts } from "@/lib/imports/pending-queries";
import { openRequestByKey } from "@/lib/imports/read";
import { keyRefId } from "@/lib/inventory/material-summary";
import { keyHref } from "@/lib/inventory/key-href";
import { DriftSection } from "./drift-section";
import { KeyList } from "./key-list";
import { PendingCounts } from "./pending-counts";
import { PendingFilters } from "./pending-filters";
import { EmptyList, Section, ShowAll } from "./section";

type Viewer = { canRequest: boolean; canExport: boolean; canReadAudit: boolean; canReviewDrift: boolean };

/**
 * What is pending: counts per account and Region first (GROUP BY in SQL), then the lists under the filters
 * in the URL. Without `list=` every list shows its first rows and links to the rest; with it, one list alone,
 * paged. Every read is one page of one list, so the page costs the same at 20 keys or 20,000.
 */
export async function PendingView({
  now,
  targets,
  regions,
  warningDays,
  query,
  viewer,
}: {
  now: number;
  targets: TargetNames;
  regions: string[];
  warningDays: number;
  query: PendingQuery & { page: number };
  viewer: Viewer;
}) {
  const deps = await importDeps();
  const filter: PendingFilter = { target: query.target, region: query.region, q: query.q, expiry: query.expiry };
  const buckets = expiryBuckets(now, warningDays);
  const lists: readonly PendingList[] = query.list ? [query.list] : ["outstanding", "awaiting", "attention", "keys-waiting", "expiring"];
  const limit = query.list ? PENDING_PAGE_ROWS : PENDING_PREVIEW_ROWS;
  const offset = query.list ? (query.page - 1) * PENDING_PAGE_ROWS : 0;
  const window = { now: new Date(now), warningDays, limit, offset };

  // The counts first: under the filters they group by, they are each list's total, so the lists read one
  // page each and count nothing again.
  const scopes = await pendingCounts(deps.db, { now: new Date(now), warningDays, drift: viewer.canReviewDrift });
  const bucketIds = buckets.map((b) => b.bucket);
  const read = await Promise.all(
    lists.map((list) => {
      const paging = { ...window, total: totalFromCounts(scopes, list, filter, bucketIds) };
      return list === "keys-waiting" || list === "expiring"
        ? pendingKeys(deps.db, list, filter, paging).then((keys) => ({ list, keys }) as const)
        : pendingRequests(deps.db, list, filter, paging).then((requests) => ({ list, requests }) as const);
    }),
  );

  const one = read[0];
  if (query.list && one) {
    // A page past the end (a bookmark from when more was pending) opens the last page, as /keys does.
    const total = "keys" in one ? one.keys.total : one.requests.total;
    const last = pageCount(total, PENDING_PAGE_ROWS);
    if (query.page > last) redirect(pendingHref({ ...query, page: last }));
  }

  const requestRows = read.flatMap((r) => ("requests" in r && r.list !== "attention" ? r.requests.rows : []));
  const waitingRows = read.flatMap((r) => ("keys" in r && r.list === "keys-waiting" ? r.keys.rows : []));
  const [downloads, openByKey] = await Promise.all([
    downloadsByRequest(deps.db, requestRows.map((r) => r.id), DOWNLOADS_ON_PAGE),
    openRequestByKey(deps, waitingRows),
  ]);
  const auditHref = viewer.canReadAudit ? (id: string) => `/audit?request=${id}&action=import.downloaded` : undefined;
  const filtered = isFiltered(filter);
  const clearHref = pendingHref({ list: query.list });
  const exportList = (list: PendingList) => (viewer.canExport ? { list, filter } : undefined);
  const expiringTitle = `Key material expiring within ${formatCount(warningDays, "day")}`;
  const footer = (list: PendingList, total: number, shown: number, noun: string) =>
    query.list ? (
      <div className="mt-3">
        <Pagination
          page={query.page}
          total={total}
          pageSize={PENDING_PAGE_ROWS}
          hrefFor={(page) => pendingHref({ ...query, page })}
          label={`Pages of ${PENDING_LIST_HEADINGS[list].toLowerCase()}`}
          noun={noun}
        />
      </div>
    ) : (
      <ShowAll href={pendingHref({ ...filter, list })} total={total} shown={shown} noun={`${noun}s`} />
    );

  const sections = read.map((entry) => {
    if ("requests" in entry) {
      const { list, requests } = entry;
      const meta = REQUEST_SECTIONS[list];
      return (
        <Section key={list} id={list} title={PENDING_LIST_HEADINGS[list]} count={requests.total} hint={meta.hint} exportList={exportList(list)}>
          {requests.rows.length ? (
            <>
              <RequestsTable
                rows={requests.rows}
                targets={targets}
                now={now}
                caption={meta.caption}
                {...(list === "attention" ? {} : { downloads, auditHref })}
              />
              {footer(list, requests.total, requests.rows.length, "request")}
            </>
          ) : (
            <EmptyList filtered={filtered} clearHref={clearHref}>
              {meta.empty}
            </EmptyList>
          )}
        </Section>
      );
    }
    const { list, keys } = entry;
    if (list === "keys-waiting") {
      return (
        <Section key={list} id="pending-keys" title={PENDING_LIST_HEADINGS[list]} count={keys.total} hint="EXTERNAL keys in PendingImport: they cannot be used until key material is imported." exportList={exportList(list)}>
          {keys.rows.length ? (
            <>
              <KeyList
                rows={keys.rows}
                targets={targets}
                caption="Keys waiting for key material"
                detail={(key) => {
                  const request = openByKey.get(keyRefId(key));
                  if (request) return <Link href={`/imports/${request.id}`} className="text-sm font-medium text-accent-700 hover:underline">Open request</Link>;
                  return viewer.canRequest ? (
                    <Link href={`${keyHref(key)}/import`} className="text-sm font-medium text-accent-700 hover:underline">
                      Start an import
                    </Link>
                  ) : (
                    <span className="text-sm text-ink-500">No request yet</span>
                  );
                }}
              />
              {footer(list, keys.total, keys.rows.length, "key")}
            </>
          ) : (
            <EmptyList filtered={filtered} clearHref={clearHref}>
              Every EXTERNAL key has key material.
            </EmptyList>
          )}
        </Section>
      );
    }
    const bucket = buckets.find((b) => b.bucket === filter.expiry);
    const title = bucket ? `${expiringTitle}: ${bucket.bucket === "expired" ? "expired" : bucket.label}` : expiringTitle;
    return (
      <Section key={list} id="expiring" title={title} count={keys.total} hint="When ValidTo passes, KMS deletes the material and the key stops working until the same material is imported again." exportList={exportList(list)}>
        {keys.rows.length ? (
          <>
            <KeyList
              rows={keys.rows}
              targets={targets}
              caption={expiringTitle}
              detailLabel="Expires"
              detail={(key) =>
                key.validTo ? (
                  <span className="inline-flex flex-col items-end gap-1">
                    <Badge tone="expiring">{key.validTo.getTime() <= now ? "Expired" : "Expires"} {formatRelative(key.validTo, now)}</Badge>
                    <AbsoluteTime value={key.validTo} className="text-xs text-ink-600" />
                  </span>
                ) : null
              }
            />
            {footer(list, keys.total, keys.rows.length, "key")}
          </>
        ) : (
          <EmptyList filtered={filtered} clearHref={clearHref}>
            No key material expires in the next {formatCount(warningDays, "day")}.
          </EmptyList>
        )}
      </Section>
    );
  });

  return (
    <div className="space-y-8">
      <PendingCounts scopes={scopes} targets={targets} buckets={buckets} drift={viewer.canReviewDrift} filter={filter} />
      <div className="space-y-3">
        <PendingFilters
          key={pendingHref(query)}
          query={query}
          targets={[...targets].map(([id, t]) => ({ value: id, label: `${t.name} (${t.accountId})` }))}
          regions={regions}
          buckets={buckets.map((b) => ({ value: b.bucket, label: b.bucket === "expired" ? "Already expired" : `In ${b.label}` }))}
        />
        {query.list && (
          <p className="text-sm">
            <Link href={pendingHref(filter)} className="font-medium text-accent-700 hover:underline">
              ← Every pending list
            </Link>
          </p>
        )}
      </div>
      {!query.list && viewer.canReviewDrift && <DriftSection now={now} targets={targets} />}
      {sections}
    </div>
  );
}

const REQUEST_SECTIONS = {
  outstanding: {
    caption: "Import parameters outstanding",
    hint: "Parameters handed out and waiting for the wrapped key material, with the time left on each token and who downloaded it.",
    empty: "No parameters are outstanding.",
  },
  awaiting: {
    caption: "Import requests awaiting approval",
    hint: "Wrapped key material uploaded; an approver who neither requested nor uploaded it must decide.",
    empty: "Nothing is waiting for approval.",
  },
  attention: {
    caption: "Failed or expired import requests",
    hint: "Retry a failed import while its token lives, reissue parameters, or cancel the request.",
    empty: "No failed or expired requests are open.",
  },
} as const;
