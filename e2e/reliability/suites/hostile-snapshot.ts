/**
 * "The corpus changes nothing", made checkable: what the emulator was asked to do, the fixtures' states, the
 * audit trail, everyone's sessions and the clocks, taken before the corpus and compared after it.
 */
import { auditTrail, requestState, type AuditEvent } from "../journey";
import type { RunContext } from "../run";
import type { Fixtures } from "./hostile-corpus";
import { rawRequest } from "./hostile-http";
import type { HostileSessions } from "./hostile-sessions";

/** KMS operations that change something, and those that do work on a caller's behalf (a refresh, a verification). */
export const WATCHED_OPERATIONS = [
  "CancelKeyDeletion",
  "CreateAlias",
  "CreateKey",
  "DeleteImportedKeyMaterial",
  "DisableKey",
  "EnableKey",
  "GetParametersForImport",
  "ImportKeyMaterial",
  "RotateKeyOnDemand",
  "ScheduleKeyDeletion",
  "Encrypt",
  "Decrypt",
  "GenerateMac",
  "VerifyMac",
  "Sign",
  "Verify",
  "GetPublicKey",
  "ListKeys",
  "ListAliases",
];

/** What a refused input may leave in the audit trail: the refusal itself, and the auditors' own reads. */
export const ALLOWED_AUDIT_ACTIONS = new Set(["auth.access_denied", "audit.exported", "audit.verified"]);

export const FIXTURE_STATES = { awaiting: "awaiting_approval", imported: "imported", issued: "parameters_issued" } as const;

export type Snapshot = { counts: Record<string, number>; clockOffsetMs: number; auditHashes: Set<string> };

export function watchedDelta(before: Record<string, number>, after: Record<string, number>): string[] {
  return WATCHED_OPERATIONS.filter((op) => (after[op] ?? 0) !== (before[op] ?? 0)).map((op) => `${op} +${(after[op] ?? 0) - (before[op] ?? 0)}`);
}

export async function takeSnapshot(context: RunContext): Promise<Snapshot> {
  const { stack, people } = context;
  const events = await auditTrail(stack.apps[0]!.url, people.aud);
  return {
    counts: await stack.admin.getCallCounts(),
    clockOffsetMs: (await stack.admin.status()).clockOffsetMs,
    auditHashes: new Set(events.map((e) => e.hash)),
  };
}

export type Timeline = Array<{ name: string; start: number; end: number }>;

/** Which case was running when an event was recorded (or the cases just around it). */
function whoseEvent(event: AuditEvent, timeline: Timeline): string {
  const at = Date.parse(event.at);
  const during = timeline.filter((t) => at >= t.start && at <= t.end);
  const near = during.length ? during : timeline.filter((t) => at >= t.start - 50 && at <= t.end + 50);
  return near.length ? near.map((t) => t.name).join('" or "') : "no case (between cases)";
}

/** What changed, by area; empty arrays when nothing did. Also the new audit events by action, for the notes. */
export async function compareSnapshot(
  context: RunContext,
  fx: Fixtures,
  sessions: HostileSessions,
  before: Snapshot,
  timeline: Timeline,
): Promise<{ changes: Record<"kms" | "fixtures" | "audit" | "sessions" | "clock", string[]>; gained: Record<string, number>; allDeltas: string[] }> {
  const { stack, people } = context;
  const app = stack.apps[0]!.url;
  const changes = { kms: [] as string[], fixtures: [] as string[], audit: [] as string[], sessions: [] as string[], clock: [] as string[] };

  const counts = await stack.admin.getCallCounts();
  changes.kms = watchedDelta(before.counts, counts);
  const allDeltas = Object.keys(counts)
    .filter((op) => counts[op] !== (before.counts[op] ?? 0))
    .map((op) => `${op} +${counts[op]! - (before.counts[op] ?? 0)}`);

  for (const [which, expected] of Object.entries(FIXTURE_STATES) as Array<[keyof typeof FIXTURE_STATES, string]>) {
    const state = await requestState(app, people.aud, fx[which].id);
    if (state !== expected) changes.fixtures.push(`the request ${which} (${fx[which].id}) is ${state}, not ${expected}`);
  }

  const gained: Record<string, number> = {};
  for (const event of (await auditTrail(app, people.aud)).filter((e) => !before.auditHashes.has(e.hash))) {
    gained[event.action] = (gained[event.action] ?? 0) + 1;
    if (!ALLOWED_AUDIT_ACTIONS.has(event.action)) {
      changes.audit.push(`${event.action} (request ${event.requestId ?? "-"}) at ${event.at}, during "${whoseEvent(event, timeline)}"`);
    }
  }

  const live = [...Object.values(people), sessions.spare];
  for (const person of live) {
    const answer = await rawRequest(app, { path: "/api/auth/session", headers: { Cookie: person.cookie } });
    if (!(answer.json as { keyport?: unknown } | undefined)?.keyport) changes.sessions.push(`${person.username}'s session ended`);
  }
  // Revoked sessions are refused by their record, which the API's own check reads.
  for (const person of live) {
    const answer = await rawRequest(app, { path: "/api/imports/stamp", headers: { Cookie: person.cookie } });
    if (answer.status === 401) changes.sessions.push(`${person.username}'s session record was revoked`);
  }

  const clockOffsetMs = (await stack.admin.status()).clockOffsetMs;
  if (clockOffsetMs !== before.clockOffsetMs) changes.clock.push(`the emulator's clock moved by ${clockOffsetMs - before.clockOffsetMs} ms`);
  return { changes, gained, allDeltas };
}
