import { MAX_VALID_TO_DAYS } from "@/lib/imports/schemas";

/**
 * What a schedule means, as pure functions of dates (no server-only, no clock: `now` is passed in), so the
 * pages, the rotation pass and the tests agree on every boundary.
 *
 * - Reimport: key material that expires is due for reimport `reimportDaysBefore` days before its ValidTo.
 * - Rotation: a symmetric key is due for new material once its current material is `rotateEveryDays` old.
 *   AWS KMS refuses the 11th on-demand rotation of a key (LimitExceededException), so a schedule stops when
 *   the key has used its ten.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;

/** AWS KMS's limit on RotateKeyOnDemand per key; the 11th is refused with LimitExceededException. */
export const ROTATION_LIMIT = 10;

export type SchedulePolicy = { reimportDaysBefore: number | null; rotateEveryDays: number | null };

export type PolicySource = "key" | "target";

/** The policy that governs a key: its own when it has one (whole, not part by part), else its target's. */
export function effectivePolicy(
  own: SchedulePolicy | null | undefined,
  target: SchedulePolicy | null | undefined,
): (SchedulePolicy & { source: PolicySource }) | null {
  if (own) return { ...own, source: "key" };
  if (target) return { ...target, source: "target" };
  return null;
}

/** A policy in words: "reimport 30 days before ValidTo; new material every 90 days". */
export function policyText(policy: SchedulePolicy): string {
  const parts = [
    policy.reimportDaysBefore !== null ? `reimport ${policy.reimportDaysBefore} days before ValidTo` : null,
    policy.rotateEveryDays !== null ? `new material every ${policy.rotateEveryDays} days` : null,
  ];
  return parts.filter(Boolean).join("; ");
}

/** When material expiring at `validTo` is due for reimport under a policy of `daysBefore` days. */
export function reimportDueAt(validTo: Date, daysBefore: number): Date {
  return new Date(validTo.getTime() - daysBefore * DAY_MS);
}

export const DUE_BUCKETS = ["overdue", "this_week", "next_week", "later"] as const;
export type DueBucket = (typeof DUE_BUCKETS)[number];

export const DUE_BUCKET_LABELS: Record<DueBucket, string> = {
  overdue: "Overdue",
  this_week: "Due this week",
  next_week: "Due next week",
  later: "Later",
};

/**
 * Which list a due date falls in, counted in rolling weeks from now: overdue once the date has passed,
 * "this week" within the next 7 days, "next week" within the 7 after. A date exactly `now` is due this
 * week (not yet overdue); exactly 7 days ahead is next week.
 */
export function dueBucket(due: Date, now: Date): DueBucket {
  const ahead = due.getTime() - now.getTime();
  if (ahead < 0) return "overdue";
  if (ahead < 7 * DAY_MS) return "this_week";
  if (ahead < 14 * DAY_MS) return "next_week";
  return "later";
}

/** What a rotation schedule does for one key, right now. */
export type RotationStatus =
  | { state: "blocked"; reason: string; used: number | null; left: number | null }
  | { state: "limit_reached"; used: number; left: 0 }
  | { state: "due" | "scheduled"; dueAt: Date; used: number; left: number; stopsAfter: number | null };

/**
 * A key's rotation schedule against its material: `since` is when its current material became current (its
 * last rotation, or its first import), `used` how many on-demand rotations it has had. `blockedBy` says why
 * Keyport cannot rotate the key at all (not symmetric, multi-Region). `horizonDays` is how far a schedule is
 * judged against the limit: within it, a schedule that would need more rotations than are left "stops after"
 * the ones left.
 */
export function rotationStatus(
  everyDays: number,
  key: { since: Date | null; used: number | null; blockedBy: string | null },
  now: Date,
  horizonDays = 365 * 5,
): RotationStatus {
  if (key.blockedBy) return { state: "blocked", reason: key.blockedBy, used: key.used, left: key.used === null ? null : leftOf(key.used) };
  if (key.since === null || key.used === null) {
    const reason = "Keyport cannot tell how old this key's material is: it was imported outside Keyport and has never rotated. Rotate it once from the key page to start the schedule.";
    return { state: "blocked", reason, used: key.used, left: key.used === null ? null : leftOf(key.used) };
  }
  const left = leftOf(key.used);
  if (left === 0) return { state: "limit_reached", used: key.used, left: 0 };
  const dueAt = new Date(key.since.getTime() + everyDays * DAY_MS);
  const wanted = Math.ceil(horizonDays / everyDays);
  return { state: dueAt.getTime() <= now.getTime() ? "due" : "scheduled", dueAt, used: key.used, left, stopsAfter: wanted > left ? left : null };
}

function leftOf(used: number): number {
  return Math.max(0, ROTATION_LIMIT - used);
}

/** One sentence for a rotation status, as the key and schedule pages show it. */
export function rotationStatusText(status: RotationStatus): string {
  switch (status.state) {
    case "blocked":
      return `Blocked: ${status.reason}`;
    case "limit_reached":
      return `Stopped: this key has used all ${ROTATION_LIMIT} on-demand rotations AWS KMS allows, so Keyport opens no more rotation requests.`;
    case "due":
    case "scheduled": {
      const stops = status.stopsAfter !== null ? ` Stops after ${status.stopsAfter} more rotation${status.stopsAfter === 1 ? "" : "s"} (the limit of ${ROTATION_LIMIT} per key).` : "";
      const used = `${status.used} of ${ROTATION_LIMIT} rotations used, ${status.left} left.`;
      return `${status.state === "due" ? "Due now" : "Next due"} ${status.dueAt.toISOString().slice(0, 10)}. ${used}${stops}`;
    }
  }
}

/** On-demand rotations a key has had, from its ListKeyRotations entries (those carrying a RotationDate). */
export function rotationsUsed(entries: ReadonlyArray<{ rotationDate: Date | null }>): number {
  return entries.filter((e) => e.rotationDate !== null).length;
}

/**
 * When a key's current material became current: the latest rotation KMS lists, else the latest time Keyport
 * imported new material into it (its trail), else null (unknown: material imported outside Keyport).
 */
export function materialSince(entries: ReadonlyArray<{ rotationDate: Date | null }>, lastNewMaterialAt: Date | null): Date | null {
  const rotations = entries.map((e) => e.rotationDate?.getTime() ?? 0).filter((t) => t > 0);
  const latest = Math.max(0, ...rotations, lastNewMaterialAt?.getTime() ?? 0);
  return latest > 0 ? new Date(latest) : null;
}

/**
 * The ValidTo a reimport copying an earlier import should ask for: as long after now as the earlier ValidTo
 * was after that import was requested, within KMS's 365 days.
 */
export function sameLengthValidTo(previous: { validTo: Date; requestedAt: Date }, now: Date): Date {
  const length = Math.max(DAY_MS, previous.validTo.getTime() - previous.requestedAt.getTime());
  // A minute inside KMS's limit, so the date still holds when the parameters are asked for.
  return new Date(now.getTime() + Math.min(length, MAX_VALID_TO_DAYS * DAY_MS - 60_000));
}
