import type { Metadata } from "next";
import type { ReactNode } from "react";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { getConfig } from "@/lib/config";
import { allPolicies, expiryTimeline, reimportsDue, scheduleDeps } from "@/lib/schedules";
import { AccountSchedules } from "./_components/account-schedules";
import { DueLists } from "./_components/due-lists";
import { ExpiryTimeline } from "./_components/expiry-timeline";
import { RotationTable } from "./_components/rotation-table";
import { scheduledRotations } from "./_components/scheduled-rotations";

export const metadata: Metadata = { title: "Schedules" };

const TIMELINE_DAYS = 90;

/** What is due for reimport, where scheduled rotations stand, every ValidTo ahead, and each account's schedule. */
export default async function SchedulesPage() {
  const session = await requirePageSession("keys.read");
  const config = getConfig();
  const deps = await scheduleDeps();
  const now = deps.now();
  const [due, rotations, timeline, policies] = await Promise.all([
    reimportsDue(deps.db, now),
    scheduledRotations(deps),
    expiryTimeline(deps.db, now, TIMELINE_DAYS),
    allPolicies(deps.db),
  ]);
  const targets = new Map(config.targets.map((t) => [t.id, t.name]));
  const canManage = can(session.user.roles, "schedules.manage");

  return (
    <>
      <PageHeader
        title="Schedules"
        description="Reimports due before key material expires, keys that take new material on a schedule, and every ValidTo in the coming weeks. A key's own schedule (set on its page) replaces its account's."
      />
      <div className="space-y-10">
        <Part id="due" title="Reimports due">
          <DueLists due={due} targets={targets} now={now.getTime()} canStart={canManage} />
        </Part>
        <Part id="rotations" title="Scheduled rotations">
          <p className="mb-3 max-w-3xl text-sm text-ink-600">
            When a key is due, Keyport opens a draft rotation request for the custodians; nothing rotates by itself. AWS KMS allows ten on-demand
            rotations per key, so a schedule stops there, and multi-Region keys are not rotated by Keyport.
          </p>
          <RotationTable rows={rotations} targets={targets} />
        </Part>
        <Part id="timeline" title={`ValidTo over the next ${TIMELINE_DAYS} days`}>
          <ExpiryTimeline rows={timeline} now={now.getTime()} days={TIMELINE_DAYS} warningDays={config.policy.expiryWarningDays} targets={targets} />
        </Part>
        <Part id="accounts" title="Account schedules">
          <AccountSchedules targets={config.targets} policies={policies} canManage={canManage} />
        </Part>
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
