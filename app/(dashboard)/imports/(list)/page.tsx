import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import type { TargetNames } from "@/components/imports/requests-table";
import { CountdownProvider } from "@/components/ui/countdown";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { importDeps, read } from "@/lib/imports";
import { importsQuerySchema } from "@/lib/imports/schemas";
import { REQUEST_STATES, STATE_LABELS } from "@/lib/imports/states";
import { AllRequests } from "./_components/all-requests";
import { PendingView } from "./_components/pending-view";

export const metadata: Metadata = { title: "Imports" };

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
        <PendingView
          now={now}
          targets={targets}
          regions={[...new Set(config.targets.flatMap((t) => t.regions))].sort()}
          warningDays={config.policy.expiryWarningDays}
          query={query}
          viewer={{
            canRequest,
            canExport: can(session.user.roles, "imports.export"),
            canReadAudit: can(session.user.roles, "audit.read"),
            canReviewDrift: can(session.user.roles, "drift.acknowledge"),
          }}
        />
      ) : (
        <AllRequests now={now} targets={targets} state={query.state} page={query.page} />
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
