import type { ReactNode } from "react";
import { formatDate } from "@/components/ui/format";
import { isKeyportError } from "@/lib/errors";
import type { KeyRow } from "@/lib/inventory";
import { keyRotation, policiesOfKey, scheduleDeps } from "@/lib/schedules";
import { effectivePolicy, policyText, reimportDueAt, ROTATION_LIMIT, rotationStatusText, type RotationStatus } from "@/lib/schedules/policy";
import { ROTATE_DAYS } from "@/lib/schedules/schemas";
import { KeyScheduleForm } from "./key-schedule-form";

/**
 * The key's schedule: the policy that governs it (its own, or its account's), when its material is due for
 * reimport, where its rotation schedule stands against the 10 on-demand rotations per key, and — for those
 * who may — the form for its own schedule.
 */
export async function KeySchedule({ keyRow, canManage, symmetric }: { keyRow: KeyRow; canManage: boolean; symmetric: boolean }) {
  const deps = await scheduleDeps();
  const { own, target } = await policiesOfKey(deps.db, keyRow);
  const policy = effectivePolicy(own, target);
  const rotation = symmetric ? await readRotation(deps, keyRow, policy?.rotateEveryDays ?? null) : null;
  const reimportDue =
    policy?.reimportDaysBefore && keyRow.validTo && keyRow.expirationModel === "KEY_MATERIAL_EXPIRES" ? reimportDueAt(keyRow.validTo, policy.reimportDaysBefore) : null;

  return (
    <section aria-labelledby="schedule-heading" className="rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200 lg:col-span-3">
      <h2 id="schedule-heading" className="text-sm font-semibold text-ink-900">
        Schedule
      </h2>
      <div className="mt-3 grid gap-6 md:grid-cols-2">
        <dl className="space-y-3 text-sm">
          <Item label="Policy">
            {policy
              ? `${policy.source === "key" ? "This key's own" : "Its account's"}: ${policyText(policy)}.`
              : "None: neither this key nor its account has a schedule."}
          </Item>
          {reimportDue && <Item label="Reimport due">{formatDate(reimportDue)} ({policy!.reimportDaysBefore} days before ValidTo {formatDate(keyRow.validTo!)})</Item>}
          {rotation && (
            <Item label="On-demand rotations">
              {"error" in rotation ? rotation.error : rotationLine(rotation.status, policy?.rotateEveryDays ?? null)}
            </Item>
          )}
        </dl>
        {canManage && (
          <div>
            <p className="mb-3 text-xs text-ink-600">
              {own ? "This key has its own schedule; clear both fields to follow its account's again." : "Saving gives this key its own schedule, in place of its account's."}
            </p>
            <KeyScheduleForm
              target={keyRow.targetId}
              region={keyRow.region}
              keyId={keyRow.keyId}
              initial={{ reimportDaysBefore: own?.reimportDaysBefore ?? null, rotateEveryDays: own?.rotateEveryDays ?? null }}
              rotation={symmetric}
            />
          </div>
        )}
      </div>
    </section>
  );
}

async function readRotation(deps: Awaited<ReturnType<typeof scheduleDeps>>, key: KeyRow, everyDays: number | null) {
  try {
    // Without a rotation policy the status is read against the longest period, for its count of rotations.
    return await keyRotation(deps, key, everyDays ?? ROTATE_DAYS.max);
  } catch (error) {
    if (isKeyportError(error)) return { error: `Keyport could not read this key's rotations from AWS KMS: ${error.message}` };
    throw error;
  }
}

/** With a rotation policy, where it stands; without one, only the rotations used and left. */
function rotationLine(status: RotationStatus, everyDays: number | null): string {
  if (everyDays !== null) return rotationStatusText(status);
  if (status.state === "blocked") return status.used === null ? status.reason : `${status.used} of ${ROTATION_LIMIT} used. ${status.reason}`;
  return `${status.used} of ${ROTATION_LIMIT} used, ${status.left} left.`;
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-ink-500">{label}</dt>
      <dd className="mt-0.5 text-ink-900">{children}</dd>
    </div>
  );
}
