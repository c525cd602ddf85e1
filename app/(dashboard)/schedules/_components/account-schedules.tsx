import type { StoredPolicy } from "@/lib/schedules";
import { policyText } from "@/lib/schedules/policy";
import { TargetScheduleForm } from "./target-schedule-form";

/** Each account's schedule, which every key in it without one of its own follows; a form for those who may set it. */
export function AccountSchedules({
  targets,
  policies,
  canManage,
}: {
  targets: Array<{ id: string; name: string; accountId: string }>;
  policies: StoredPolicy[];
  canManage: boolean;
}) {
  return (
    <div className="grid gap-4 md:grid-cols-2">
      {targets.map((t) => {
        const policy = policies.find((p) => p.scope === "target" && p.targetId === t.id);
        return (
          <section key={t.id} aria-labelledby={`account-${t.id}`} className="rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200">
            <h3 id={`account-${t.id}`} className="text-sm font-semibold text-ink-900">
              {t.name} <span className="font-mono text-xs font-normal text-ink-500">({t.accountId})</span>
            </h3>
            <p className="mt-1 mb-3 text-sm text-ink-700">{policy ? `${policyText(policy)}.` : "No schedule."}</p>
            {canManage && (
              <TargetScheduleForm
                target={t.id}
                name={t.name}
                initial={{ reimportDaysBefore: policy?.reimportDaysBefore ?? null, rotateEveryDays: policy?.rotateEveryDays ?? null }}
              />
            )}
          </section>
        );
      })}
    </div>
  );
}
