import type { Metadata } from "next";
import { TableCard } from "@/components/ui/table-card";
import Link from "next/link";
import type { ReactNode } from "react";
import { RequestsTable, type TargetNames } from "@/components/imports/requests-table";
import { Badge, KeyStateBadge } from "@/components/ui/badge";
import { CountdownProvider } from "@/components/ui/countdown";
import { EmptyState } from "@/components/ui/empty-state";
import { formatCount, formatDateTime, formatRelative } from "@/components/ui/format";
import { UploadIcon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { importDeps, read } from "@/lib/imports";
import { importsQuerySchema } from "@/lib/imports/schemas";
import { REQUEST_STATES, STATE_LABELS, type RequestState } from "@/lib/imports/states";
import { listKeys, type KeyRow } from "@/lib/inventory";

export const metadata: Metadata = { title: "Imports" };

const DAY_MS = 24 * 3600_000;

export default async function ImportsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requirePageSession("imports.read");
  const query = importsQuerySchema.parse(await searchParams);
  const config = getConfig();
  const deps = await importDeps();
  const now = nowMs();
  const targets: TargetNames = new Map(config.targets.map((t) => [t.id, { name: t.name, accountId: t.accountId }]));
  const canRequest = can(session.user.roles, "imports.request");
  const counts = await read.requestCounts(deps);
  const total = Object.values(counts).reduce((n, c) => n + (c ?? 0), 0);

  return (
    <CountdownProvider serverNow={now}>
      <PageHeader
        title="Imports"
        description="What is pending: keys waiting for key material, import parameters outstanding, wrapped material awaiting approval, and key material about to expire."
      />
      <nav aria-label="Views" className="mb-6 flex flex-wrap items-center gap-2 border-b border-ink-200 pb-3">
        <ViewLink href="/imports" active={query.view === "pending"}>
          Pending
        </ViewLink>
        <ViewLink href="/imports?view=all" active={query.view === "all" && !query.state}>
          All requests <span className="text-ink-500">({total})</span>
        </ViewLink>
        {query.view === "all" && (
          <div className="ml-auto flex flex-wrap gap-1" aria-label="Filter by state" role="group">
            {REQUEST_STATES.filter((s) => counts[s]).map((s) => (
              <ViewLink key={s} href={`/imports?view=all&state=${s}`} active={query.state === s} small>
                {STATE_LABELS[s]} <span className="text-ink-500">({counts[s]})</span>
              </ViewLink>
            ))}
          </div>
        )}
      </nav>
      {query.view === "pending" ? (
        <PendingView now={now} targets={targets} canRequest={canRequest} warningDays={config.policy.expiryWarningDays} />
      ) : (
        <AllView now={now} targets={targets} state={query.state} />
      )}
    </CountdownProvider>
  );
}

function ViewLink({ href, active, small, children }: { href: string; active: boolean; small?: boolean; children: ReactNode }) {
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={`rounded-md ${small ? "px-2 py-1 text-xs" : "px-3 py-1.5 text-sm"} font-medium ${
        active ? "bg-ink-900 text-white" : "text-ink-700 hover:bg-ink-100"
      }`}
    >
      {children}
    </Link>
  );
}

async function AllView({ now, targets, state }: { now: number; targets: TargetNames; state: RequestState | undefined }) {
  const rows = await read.listImportRequests(await importDeps(), state ? { states: [state] } : {});
  if (rows.length === 0)
    return (
      <EmptyState icon={<UploadIcon />} title={state ? `No ${STATE_LABELS[state].toLowerCase()} requests` : "No import requests yet"}>
        {state ? (
          <Link href="/imports?view=all" className="font-medium text-accent-700 underline">
            Show every request
          </Link>
        ) : (
          "When a custodian starts an import on a key, the request appears here with a live countdown to the expiry of its wrapping key and import token, and then its approval and import."
        )}
      </EmptyState>
    );
  return <RequestsTable rows={rows} targets={targets} now={now} caption={state ? `${STATE_LABELS[state]} import requests` : "All import requests"} />;
}

async function PendingView({ now, targets, canRequest, warningDays }: { now: number; targets: TargetNames; canRequest: boolean; warningDays: number }) {
  const deps = await importDeps();
  const [open, pendingKeys, expiring] = await Promise.all([
    read.listImportRequests(deps, { open: true }),
    listKeys({ state: "PendingImport" }, { sort: "alias", direction: "asc", page: 1, pageSize: 200 }),
    listKeys({ state: "Enabled", expiringBefore: new Date(now + warningDays * DAY_MS) }, { sort: "validTo", direction: "asc", page: 1, pageSize: 200 }),
  ]);
  const outstanding = open.filter((r) => r.state === "draft" || r.state === "parameters_issued");
  const awaiting = open.filter((r) => r.state === "awaiting_approval" || r.state === "importing");
  const attention = open.filter((r) => r.state === "failed" || r.state === "expired");
  const openByKey = new Map(open.map((r) => [`${r.targetId}|${r.region}|${r.keyId}`, r]));

  return (
    <div className="space-y-8">
      <Section id="outstanding" title="Import parameters outstanding" count={outstanding.length} hint="Parameters handed out and waiting for the wrapped key material, with the time left on each token.">
        {outstanding.length ? (
          <RequestsTable rows={outstanding} targets={targets} now={now} caption="Import parameters outstanding" />
        ) : (
          <Quiet>No parameters are outstanding.</Quiet>
        )}
      </Section>
      <Section id="awaiting" title="Awaiting approval" count={awaiting.length} hint="Wrapped key material uploaded; an approver who neither requested nor uploaded it must decide.">
        {awaiting.length ? (
          <RequestsTable rows={awaiting} targets={targets} now={now} caption="Import requests awaiting approval" />
        ) : (
          <Quiet>Nothing is waiting for approval.</Quiet>
        )}
      </Section>
      <Section id="attention" title="Failed or expired, not closed" count={attention.length} hint="Retry a failed import while its token lives, reissue parameters, or cancel the request.">
        {attention.length ? (
          <RequestsTable rows={attention} targets={targets} now={now} caption="Failed or expired import requests" />
        ) : (
          <Quiet>No failed or expired requests are open.</Quiet>
        )}
      </Section>
      <Section id="pending-keys" title="Keys waiting for key material" count={pendingKeys.total} hint="EXTERNAL keys in PendingImport: they cannot be used until key material is imported.">
        {pendingKeys.rows.length ? (
          <KeyList
            rows={pendingKeys.rows}
            targets={targets}
            caption="Keys waiting for key material"
            detail={(key) => {
              const request = openByKey.get(`${key.targetId}|${key.region}|${key.keyId}`);
              if (request) return <Link href={`/imports/${request.id}`} className="text-sm font-medium text-accent-700 hover:underline">Open request</Link>;
              return canRequest ? (
                <Link href={`${keyHref(key)}/import`} className="text-sm font-medium text-accent-700 hover:underline">
                  Start an import
                </Link>
              ) : (
                <span className="text-sm text-ink-500">No request yet</span>
              );
            }}
          />
        ) : (
          <Quiet>Every EXTERNAL key has key material.</Quiet>
        )}
      </Section>
      <Section
        id="expiring"
        title={`Key material expiring within ${formatCount(warningDays, "day")}`}
        count={expiring.total}
        hint="When ValidTo passes, KMS deletes the material and the key stops working until the same material is imported again."
      >
        {expiring.rows.length ? (
          <KeyList
            rows={expiring.rows}
            targets={targets}
            caption={`Key material expiring within ${formatCount(warningDays, "day")}`}
            detail={(key) =>
              key.validTo ? (
                <span title={formatDateTime(key.validTo)}>
                  <Badge tone="expiring">Expires {formatRelative(key.validTo, now)}</Badge>
                </span>
              ) : null
            }
          />
        ) : (
          <Quiet>No key material expires in the next {formatCount(warningDays, "day")}.</Quiet>
        )}
      </Section>
    </div>
  );
}

function keyHref(key: { targetId: string; region: string; keyId: string }) {
  return `/keys/${encodeURIComponent(key.targetId)}/${encodeURIComponent(key.region)}/${encodeURIComponent(key.keyId)}`;
}

function Section({ id, title, count, hint, children }: { id: string; title: string; count: number; hint: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`}>
      <div className="mb-3">
        <h2 id={`${id}-heading`} className="flex items-center gap-2 text-base font-semibold text-ink-900">
          {title}
          <span className="rounded-full bg-ink-100 px-2 py-0.5 text-xs font-medium text-ink-700">{count}</span>
        </h2>
        <p className="text-sm text-ink-600">{hint}</p>
      </div>
      {children}
    </section>
  );
}

function Quiet({ children }: { children: ReactNode }) {
  return <p className="rounded-card border border-dashed border-ink-300 bg-white px-4 py-5 text-sm text-ink-600">{children}</p>;
}

function KeyList({
  rows,
  targets,
  caption,
  detail,
}: {
  rows: KeyRow[];
  targets: TargetNames;
  caption: string;
  detail: (key: KeyRow) => ReactNode;
}) {
  return (
    <TableCard
      caption={caption}
      head={
        <>
          <th scope="col" className="px-4 py-3">Key</th>
          <th scope="col" className="px-4 py-3">Account · Region</th>
          <th scope="col" className="px-4 py-3">Key spec</th>
          <th scope="col" className="px-4 py-3">State</th>
          <th scope="col" className="px-4 py-3">
            <span className="sr-only">Next step</span>
          </th>
        </>
      }
    >
      <tbody className="divide-y divide-ink-100">
        {rows.map((key) => (
          <tr key={`${key.targetId}/${key.region}/${key.keyId}`}>
            <td className="max-w-xs px-4 py-3">
              <Link href={keyHref(key)} className="block truncate font-medium text-accent-700 hover:underline">
                {key.aliases[0] ?? key.keyId}
              </Link>
              <span className="block truncate font-mono text-xs text-ink-500">{key.keyId}</span>
            </td>
            <td className="whitespace-nowrap px-4 py-3">
              <span className="block text-ink-800">{targets.get(key.targetId)?.name ?? key.targetId}</span>
              <span className="font-mono text-xs text-ink-500">
                {key.accountId} · {key.region}
              </span>
            </td>
            <td className="whitespace-nowrap px-4 py-3 font-mono text-xs text-ink-800">{key.keySpec ?? "—"}</td>
            <td className="whitespace-nowrap px-4 py-3">{key.keyState ? <KeyStateBadge state={key.keyState} /> : "—"}</td>
            <td className="whitespace-nowrap px-4 py-3 text-right">{detail(key)}</td>
          </tr>
        ))}
      </tbody>
    </TableCard>
  );
}
