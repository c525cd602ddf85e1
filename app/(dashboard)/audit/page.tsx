import type { Metadata } from "next";
import { TableCard } from "@/components/ui/table-card";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDateTime } from "@/components/ui/format";
import { ListIcon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { auditHead, listAuditEvents, type AuditEvent } from "@/lib/audit";
import { latestCheckpointInTrail } from "@/lib/audit/checkpoints";
import { auditActionLabel } from "@/lib/audit/labels";
import { checkpointsConfigured } from "@/lib/audit/signing";
import { auditPageQuerySchema, auditQueryString, toAuditFilter } from "@/lib/audit/schemas";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { getDb } from "@/lib/db";
import { keyArnsForAlias } from "@/lib/inventory";
import { AuditFilters, type AuditFilterValues } from "./_components/audit-filters";
import { CheckpointPanel, type LatestCheckpoint } from "./_components/checkpoint-panel";
import { VerifyPanel } from "./_components/verify-panel";

export const metadata: Metadata = { title: "Audit" };

const PAGE_SIZE = 50;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requirePageSession("audit.read");
  const raw = await searchParams;
  const parsed = auditPageQuerySchema.safeParse(raw);
  const db = await getDb();
  const head = await auditHead(db);
  const canExport = can(session.user.roles, "audit.export");
  const canVerify = can(session.user.roles, "audit.verify");

  if (head.lastSeq === 0) {
    return (
      <>
        <PageHeader title="Audit" description={DESCRIPTION} />
        <EmptyState icon={<ListIcon />} title="No audit events yet">
          Every step of every import is recorded here in a hash chain that auditors can verify and export as CSV or JSON Lines.
        </EmptyState>
      </>
    );
  }

  if (!parsed.success) {
    // A filter that cannot be applied lists nothing: listing everything would look like its result.
    const errors: Partial<Record<keyof AuditFilterValues, string[]>> = {};
    for (const issue of parsed.error.issues) (errors[String(issue.path[0]) as keyof AuditFilterValues] ??= []).push(issue.message);
    return (
      <>
        <PageHeader title="Audit" description={DESCRIPTION} />
        <div className="space-y-4">
          {canVerify && <VerifyPanel head={{ lastSeq: head.lastSeq, lastHash: head.lastHash }} />}
          <Alert tone="danger">
            These filters cannot be applied, so no events are listed. Correct the {Object.keys(errors).length === 1 ? "field" : "fields"} marked below, or
            clear the filters.
          </Alert>
          <AuditFilters values={rawValues(raw)} errors={errors} />
        </div>
      </>
    );
  }

  const query = parsed.data;
  const [page, checkpoint] = await Promise.all([
    listAuditEvents(db, await toAuditFilter(query, keyArnsForAlias), { limit: PAGE_SIZE, before: query.before }),
    canVerify ? latestCheckpointInTrail(db) : null,
  ]);
  const latest: LatestCheckpoint = checkpoint
    ? { seq: checkpoint.seq, headSeq: checkpoint.checkpoint.statement.seq, at: checkpoint.checkpoint.statement.at, keyArn: checkpoint.checkpoint.statement.keyArn }
    : null;
  const filtered = !!(query.action || query.from || query.to || query.request || query.key || query.person);
  const exportQuery = { action: query.action, from: query.from, to: query.to, request: query.request, key: query.key, person: query.person };

  return (
    <>
      <PageHeader
        title="Audit"
        description={DESCRIPTION}
        actions={
          canExport ? (
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
      <div className="space-y-4">
        {canVerify && <VerifyPanel head={{ lastSeq: head.lastSeq, lastHash: head.lastHash }} />}
        {canVerify && <CheckpointPanel latest={latest} configured={checkpointsConfigured()} />}
        <AuditFilters values={exportQuery} />
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
    </>
  );
}

const DESCRIPTION =
  "The tamper-evident history of every sign-in, request, download, approval and import. Each event carries the hash of the one before it.";

/** The filters as the URL holds them, to show them back as typed. */
function rawValues(raw: Record<string, string | string[] | undefined>): AuditFilterValues {
  const out: AuditFilterValues = {};
  for (const name of ["action", "from", "to", "request", "key", "person"] as const) {
    const value = raw[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text !== undefined) out[name] = text.slice(0, 2048);
  }
  return out;
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
