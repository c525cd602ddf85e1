import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config";
import { allPolicies, scheduleDeps } from "@/lib/schedules";
import { DUE_LISTS, ROTATION_STATE_LABELS, schedulesHref } from "@/lib/schedules/lists";
import { schedulesQuerySchema } from "@/lib/schedules/schemas";
import { AccountSchedules } from "./_components/account-schedules";
import { DueList } from "./_components/due-lists";
import { ExpiryTimeline } from "./_components/expiry-timeline";
import { KeysAhead } from "./_components/keys-ahead";
import { loadSchedules, TIMELINE_DAYS } from "./_components/load";
import { RotationTable } from "./_components/rotation-table";
import { ScheduleCounts } from "./_components/schedule-counts";

export const metadata: Metadata = { title: "Schedules" };

/**
 * What is due for reimport, where scheduled rotations stand, every ValidTo ahead, and each account's schedule:
 * counts first, then each list's first rows, or one list alone (`list=`), paged.
 */
export default async function SchedulesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requirePageSession("keys.read");
  const query = schedulesQuerySchema.parse(await searchParams);
  const config = getConfig();
  const deps = await scheduleDeps();
  const now = deps.now().getTime();
  const warningDays = config.policy.expiryWarningDays;
  const [data, policies] = await Promise.all([loadSchedules(deps, query, warningDays), query.list ? [] : allPolicies(deps.db)]);
  const targets = new Map(config.targets.map((t) => [t.id, t.name]));
  const canManage = can(session.user.roles, "schedules.manage");
  const status = query.list === "rotations" ? query.status : undefined;
  const rotationTotal = status ? data.rotations[status] : Object.values(data.rotations).reduce((n, v) => n + v, 0);
  return (
    <>
      <PageHeader
        title="Schedules"
        description="Reimports due before key material expires, keys that take new material on a schedule, and every ValidTo in the coming weeks. A key's own schedule (set on its page) replaces its account's."
      />
      <div className="space-y-10">
        <ScheduleCounts query={query} due={data.due} rotations={data.rotations} aheadTotal={data.aheadTotal} days={TIMELINE_DAYS} targets={config.targets} />
        {query.list && (
          <p className="text-sm">
            <Link href={schedulesHref({ target: query.target })} className="font-medium text-accent-700 hover:underline">
              ← Every schedule list
            </Link>
          </p>
        )}
        {(!query.list || DUE_LISTS.some((l) => l === query.list)) && (
          <Part id="due" title="Reimports due">
            <div className="space-y-6">
              {DUE_LISTS.filter((list) => data.dueRows[list]).map((list) => (
                <DueList key={list} bucket={list} rows={data.dueRows[list]!} total={data.due[list]} query={query} targets={targets} now={now} canStart={canManage} />
              ))}
            </div>
          </Part>
        )}
        {data.rotationRows && (
          <Part id="rotations" title={status ? `Scheduled rotations: ${ROTATION_STATE_LABELS[status].toLowerCase()}` : "Scheduled rotations"}>
            <p className="mb-3 max-w-3xl text-sm text-ink-600">
              When a key is due, Keyport opens a draft rotation request for the custodians; nothing rotates by itself. AWS KMS allows ten on-demand
              rotations per key, so a schedule stops there, and multi-Region keys are not rotated by Keyport.
            </p>
            <RotationTable rows={data.rotationRows} total={rotationTotal} query={query} targets={targets} />
          </Part>
        )}
        {data.aheadRows && (
          <Part id="timeline" title={`ValidTo over the next ${TIMELINE_DAYS} days`}>
            <div className="space-y-4">
              {!query.list && <ExpiryTimeline cells={data.cells} now={now} days={TIMELINE_DAYS} warningDays={warningDays} targets={targets} />}
              {(query.list || data.aheadTotal > 0) && (
                <KeysAhead rows={data.aheadRows} total={data.aheadTotal} query={query} now={now} days={TIMELINE_DAYS} warningDays={warningDays} targets={targets} />
              )}
            </div>
          </Part>
        )}
        {!query.list && (
          <Part id="accounts" title="Account schedules">
            <AccountSchedules targets={config.targets} policies={policies} canManage={canManage} />
          </Part>
        )}
      </div>
    </>
  );
}

function Part({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="mb-3 text-base font-semibold text-ink-900">
        {title}
      </h2>
      {children}
    </section>
  );
}
