import Link from "next/link";
import type { ReactNode } from "react";
import { DUE_LISTS, ROTATION_STATES, ROTATION_STATE_LABELS, schedulesHref, type DueList, type RotationState, type ScheduleQuery } from "@/lib/schedules/lists";
import { DUE_BUCKET_LABELS } from "@/lib/schedules/policy";

/**
 * The counts first, for the whole estate (or the account chosen): reimports due by list, scheduled rotations
 * by where they stand, ValidTo ahead. Each count opens its list alone; the account menu keeps the list.
 */
export function ScheduleCounts({
  query,
  due,
  rotations,
  aheadTotal,
  days,
  targets,
}: {
  query: ScheduleQuery;
  due: Record<DueList, number>;
  rotations: Record<RotationState, number>;
  aheadTotal: number;
  days: number;
  targets: Array<{ id: string; name: string; accountId: string }>;
}) {
  const target = query.target;
  const active = (list: string, status?: RotationState) => query.list === list && (list !== "rotations" || query.status === status);
  return (
    <section aria-labelledby="counts-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="counts-heading" className="text-base font-semibold text-ink-900">
          At a glance
        </h2>
        <form method="get" action="/schedules" className="flex items-end gap-2 text-sm">
          {query.list && <input type="hidden" name="list" value={query.list} />}
          {query.list === "rotations" && query.status && <input type="hidden" name="status" value={query.status} />}
          <label className="flex flex-col gap-1 text-xs font-medium text-ink-700">
            Account
            <select name="target" defaultValue={target ?? ""} className="h-9 rounded-md border border-ink-300 bg-white px-2 text-sm text-ink-900">
              <option value="">Every account</option>
              {targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.accountId})
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="h-9 rounded-md bg-white px-3 font-medium text-ink-800 ring-1 ring-ink-300 hover:bg-ink-50">
            Show
          </button>
        </form>
      </div>
      <div className="grid gap-4 md:grid-cols-3">
        <Group title="Reimports due">
          {DUE_LISTS.map((list) => (
            <Count key={list} href={schedulesHref({ list, target })} current={active(list)} label={DUE_BUCKET_LABELS[list]} n={due[list]} />
          ))}
        </Group>
        <Group title="Scheduled rotations">
          {ROTATION_STATES.map((status) => (
            <Count
              key={status}
              href={schedulesHref({ list: "rotations", status, target })}
              current={active("rotations", status)}
              label={ROTATION_STATE_LABELS[status]}
              n={rotations[status]}
            />
          ))}
        </Group>
        <Group title={`ValidTo in the next ${days} days`}>
          <Count href={schedulesHref({ list: "validto", target })} current={active("validto")} label="Keys" n={aheadTotal} />
        </Group>
      </div>
    </section>
  );
}

function Group({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200">
      <h3 className="mb-2 text-sm font-semibold text-ink-900">{title}</h3>
      <ul className="space-y-1 text-sm">{children}</ul>
    </div>
  );
}

function Count({ href, current, label, n }: { href: string; current: boolean; label: string; n: number }) {
  return (
    <li>
      <Link href={href} aria-current={current ? "page" : undefined} className="flex justify-between gap-2 rounded px-1 hover:bg-ink-50">
        <span className={current ? "font-semibold text-ink-900" : "text-accent-700"}>{label}</span>
        <span className="font-medium tabular-nums text-ink-900">{n.toLocaleString("en")}</span>
      </Link>
    </li>
  );
}
