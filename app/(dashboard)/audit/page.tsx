import type { Metadata } from "next";
import { TableCard } from "@/components/ui/table-card";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDateTime } from "@/components/ui/format";
import { ListIcon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { AUDIT_ACTIONS, auditHead, listAuditEvents, type AuditEvent } from "@/lib/audit";
import { auditActionLabel } from "@/lib/audit/labels";
import { auditPageQuerySchema, auditQueryString, toAuditFilter, type AuditPageQuery } from "@/lib/audit/schemas";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db";
import { VerifyPanel } from "./_components/verify-panel";

export const metadata: Metadata = { title: "Audit" };

const PAGE_SIZE = 50;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requirePageSession("audit.read");
  const query = auditPageQuerySchema.parse(await searchParams);
  const db = await getDb();
  const [head, page] = await Promise.all([
    auditHead(db),
    listAuditEvents(db, toAuditFilter(query), { limit: PAGE_SIZE, before: query.before }),
  ]);
  const filtered = !!(query.action || query.from || query.to || query.request);
  const canExport = can(session.user.roles, "audit.export");
  const canVerify = can(session.user.roles, "audit.verify");
  const exportQuery = { action: query.action, from: query.from, to: query.to, request: query.request };

  return (
    <>
      <PageHeader
        title="Audit"
        description="The tamper-evident history of every sign-in, request, download, approval and import. Each event carries the hash of the one before it."
        actions={
          canExport && head.lastSeq > 0 ? (
            <>
              <a href={`/api/audit/export${auditQueryString({ ...exportQuery, format: "csv" })}`} className="h-9 rounded-md bg-white px-3 py-2 text-sm font-medium text-ink-800 ring-1 ring-ink-300 hover:bg-ink-50">
                Export CSV
              </a>
              <a href={`/api/audit/export${auditQueryString({ ...exportQuery, format: "jsonl" })}`} className="h-9 rounded-md bg-white px-3 py-2 text-sm font-medium text-ink-800 ring-1 ring-ink-300 hover:bg-ink-50">
                Export JSON Lines
              </a>
            </>
          ) : undefined
        }
      />
      {head.lastSeq === 0 ? (
        <EmptyState icon={<ListIcon />} title="No audit events yet">
          Every step of every import is recorded here in a hash chain that auditors can verify and export as CSV or JSON Lines.
        </EmptyState>
      ) : (
        <div className="space-y-4">
          {canVerify && <VerifyPanel head={{ lastSeq: head.lastSeq, lastHash: head.lastHash }} />}
          <AuditFilters query={query} />
          {page.events.length === 0 ? (
            <EmptyState icon={<ListIcon />} title={filtered ? "No events match these filters" : "No events on this page"}>
              <Link href="/audit" className="font-medium text-accent-700 underline">
                Show every event
              </Link>
            </EmptyState>
          ) : (
            <AuditTable events={page.events} />
          )}
          <nav aria-label="Pages of events" className="flex justify-end gap-2 text-sm">
            {query.before && (
              <Link href={`/audit${auditQueryString({ ...query, before: undefined })}`} className="rounded-md bg-white px-3 py-1.5 font-medium ring-1 ring-ink-300 hover:bg-ink-50">
                Newest
              </Link>
            )}
            {page.nextBefore && (
              <Link href={`/audit${auditQueryString({ ...query, before: page.nextBefore })}`} className="rounded-md bg-white px-3 py-1.5 font-medium ring-1 ring-ink-300 hover:bg-ink-50">
                Older events
              </Link>
            )}
          </nav>
        </div>
      )}
    </>
  );
}

function AuditFilters({ query }: { query: AuditPageQuery }) {
  const input = "h-9 rounded-md border border-ink-300 bg-white px-2 text-sm text-ink-900 shadow-sm";
  return (
    <form method="get" action="/audit" role="search" aria-label="Filter events" className="flex flex-wrap items-end gap-3 rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200">
      <div className="flex flex-col gap-1">
        <label htmlFor="audit-action" className="text-xs font-medium text-ink-600">
          Action
        </label>
        <select id="audit-action" name="action" defaultValue={query.action ?? ""} className={`${input} min-w-56`}>
          <option value="">All actions</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {auditActionLabel(a)}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="audit-from" className="text-xs font-medium text-ink-600">
          From (UTC)
        </label>
        <input id="audit-from" name="from" type="date" defaultValue={query.from} className={input} />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="audit-to" className="text-xs font-medium text-ink-600">
          To (UTC, inclusive)
        </label>
        <input id="audit-to" name="to" type="date" defaultValue={query.to} className={input} />
      </div>
      <div className="flex min-w-72 flex-1 flex-col gap-1">
        <label htmlFor="audit-request" className="text-xs font-medium text-ink-600">
          Import request id
        </label>
        <input id="audit-request" name="request" defaultValue={query.request} placeholder="e.g. 3f2c…" className={`${input} font-mono`} />
      </div>
      <button type="submit" className="h-9 rounded-md bg-ink-800 px-4 text-sm font-medium text-white hover:bg-ink-900">
        Apply
      </button>
    </form>
  );
}

function AuditTable({ events }: { events: AuditEvent[] }) {
  return (
    <TableCard
      caption={"Audit events, newest first"}
      head={
        <>
          <th scope="col" className="px-4 py-3">#</th>
          <th scope="col" className="px-4 py-3">When</th>
          <th scope="col" className="px-4 py-3">What</th>
          <th scope="col" className="px-4 py-3">Who</th>
          <th scope="col" className="px-4 py-3">Where</th>
          <th scope="col" className="px-4 py-3">Details</th>
          <th scope="col" className="px-4 py-3">Hash</th>
        </>
      }
    >
      <tbody className="divide-y divide-ink-100 align-top">
        {events.map((e) => (
          <tr key={e.seq}>
            <td className="px-4 py-3 font-mono text-xs text-ink-500">{e.seq}</td>
            <td className="whitespace-nowrap px-4 py-3 text-ink-700">{formatDateTime(e.at)}</td>
            <td className="px-4 py-3">
              <span className="font-medium text-ink-900">{auditActionLabel(e.action)}</span>
              {e.requestId && (
                <Link href={`/imports/${e.requestId}`} className="block font-mono text-xs text-accent-700 hover:underline">
                  request {e.requestId.slice(0, 8)}
                </Link>
              )}
            </td>
            <td className="px-4 py-3">
              <span className="block text-ink-900">{e.actor.kind === "system" ? "Keyport" : (e.actor.name ?? e.actor.subject)}</span>
              <span className="flex flex-wrap gap-1">
                {e.actor.roles.map((r) => (
                  <Badge key={r} tone="neutral" dot={false}>
                    {r}
                  </Badge>
                ))}
              </span>
            </td>
            <td className="px-4 py-3 text-xs text-ink-700">
              {e.targetId && <span className="block">{e.targetId}</span>}
              {e.region && <span className="block font-mono">{e.region}</span>}
              {e.keyArn && <span className="block max-w-56 truncate font-mono text-ink-500" title={e.keyArn}>{e.keyArn.split("/").pop()}</span>}
              {e.kmsRequestId && <span className="block font-mono text-ink-500" title="KMS request id">{e.kmsRequestId.slice(0, 8)}</span>}
            </td>
            <td className="max-w-sm px-4 py-3">
              <dl className="grid grid-cols-[auto_1fr] gap-x-2 text-xs">
                {Object.entries(e.details).slice(0, 6).map(([k, v]) => (
                  <div key={k} className="contents">
                    <dt className="text-ink-500">{k}</dt>
                    <dd className="truncate font-mono text-ink-800" title={typeof v === "string" ? v : JSON.stringify(v)}>
                      {typeof v === "string" ? v : JSON.stringify(v)}
                    </dd>
                  </div>
                ))}
              </dl>
            </td>
            <td className="px-4 py-3 font-mono text-xs text-ink-500" title={`hash ${e.hash}\nprevious ${e.prevHash}`}>
              {e.hash.slice(0, 12)}…
            </td>
          </tr>
        ))}
      </tbody>
    </TableCard>
  );
}
