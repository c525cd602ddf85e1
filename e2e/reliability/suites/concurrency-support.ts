/**
 * What the concurrency cases share: spreading simultaneous calls over the app instances, reading the answers
 * (a clear refusal, a harmless success, or something a person could not act on), emulator call-count deltas,
 * the audit trail of one request, and a ledger of every request the suite drove so that the last case can
 * check that the trail tells the same story as the final states.
 */
import { DescribeKeyCommand, type KMSClient, ListKeysCommand } from "@aws-sdk/client-kms";
import type { ActionAnswer, Person } from "../client";
import { auditTrail, blobFile, REGION, requestState, TARGET, targetKms, wrappedMaterial, type AuditEvent } from "../journey";
import type { RunContext, SuiteResult } from "../run";

/** The instance the `i`-th of a burst of simultaneous calls goes to: alternating, so both instances race. */
export function appUrl(context: RunContext, i: number): string {
  const apps = context.stack.apps;
  return apps[i % apps.length]!.url;
}

type Result = { ok?: boolean; data?: unknown; code?: string; message?: string };

export function resultOf(answer: ActionAnswer): Result | undefined {
  return answer.result as Result | undefined;
}

export function isOk(answer: ActionAnswer): boolean {
  return answer.status === 200 && resultOf(answer)?.ok === true;
}

/**
 * Sorts a burst's answers: successes, refusals with one of `allowedCodes` (a code and a sentence a person can
 * act on), and everything else — a 5xx, an answer that is not an action result, "internal", or a code the
 * workflow should not give here. 5xx answers are added to the suite's server errors.
 */
export function sortAnswers(result: SuiteResult, answers: ActionAnswer[], allowedCodes: readonly string[]) {
  const ok: ActionAnswer[] = [];
  const refused = new Map<string, number>();
  const unclear: string[] = [];
  for (const answer of answers) {
    if (answer.status >= 500) result.serverErrors += 1;
    const r = resultOf(answer);
    if (isOk(answer)) ok.push(answer);
    else if (answer.status === 200 && r?.ok === false && r.code && allowedCodes.includes(r.code) && r.message) {
      refused.set(r.code, (refused.get(r.code) ?? 0) + 1);
    } else {
      unclear.push(r ? `${answer.status} ${r.code}: ${r.message}` : `${answer.status} ${answer.raw.slice(0, 120)}`);
    }
  }
  return { ok, refused, unclear };
}

/** "invalid_state ×48, already_decided ×1" */
export function tally(refused: Map<string, number>): string {
  return [...refused].map(([code, n]) => `${code} ×${n}`).join(", ") || "none";
}

/** Emulator call counts (global per operation) before and after `run`: how many of each it caused. */
export async function countCalls<T>(context: RunContext, run: () => Promise<T>): Promise<{ value: T; delta: (operation: string) => number }> {
  const before = await context.stack.admin.getCallCounts();
  const value = await run();
  const after = await context.stack.admin.getCallCounts();
  return { value, delta: (operation) => (after[operation] ?? 0) - (before[operation] ?? 0) };
}

/** Wrapped key material for a request, not yet uploaded, so that several uploads can be fired at one moment. */
export async function wrapFor(appUrlValue: string, custodian: Person, requestId: string): Promise<{ file: File; sha256: string }> {
  return blobFile(await wrappedMaterial(appUrlValue, custodian, requestId));
}

/** One request's events, oldest first (the export's own `audit.exported` lines left out). */
export async function trailOf(context: RunContext, requestId: string): Promise<AuditEvent[]> {
  const events = await auditTrail(context.stack.apps[0]!.url, context.people.aud, `request=${requestId}`);
  return events.filter((e) => e.action !== "audit.exported");
}

export function countOf(events: AuditEvent[], action: string): number {
  return events.filter((e) => e.action === action).length;
}

/** Who did it: the actor's subject as the export writes it. */
export function actorOf(event: AuditEvent): string {
  return String((event.actor as { subject?: unknown } | undefined)?.subject ?? "");
}

export function detailsOf(event: AuditEvent | undefined): Record<string, unknown> {
  return (event?.details ?? {}) as Record<string, unknown>;
}

/**
 * Every request the suite drove, with what it must end as: `imports` = how many ImportKeyMaterial calls the
 * emulator counted for it. The final case reads each one's state and trail again.
 */
export type Driven = { requestId: string; label: string; imports: number };

export class Ledger {
  readonly driven: Driven[] = [];
  duplicateImports = 0;

  add(requestId: string, label: string, imports: number): void {
    this.driven.push({ requestId, label, imports });
    if (imports > 1) this.duplicateImports += imports - 1;
  }
}

/**
 * The events a request's final state implies, checked against its trail. Returns one line per disagreement
 * (each a lost or duplicated event).
 */
export function storyProblems(state: string, events: AuditEvent[], driven: Driven): string[] {
  const problems: string[] = [];
  const n = (action: string) => countOf(events, action);
  const expect = (action: string, count: number) => {
    if (n(action) !== count) problems.push(`${driven.label} (${driven.requestId}) is ${state} but has ${n(action)} ${action} (expected ${count})`);
  };
  expect("import.requested", 1);
  if (n("import.parameters_issued") < 1) problems.push(`${driven.label}: no import.parameters_issued`);
  if (state === "imported") {
    expect("import.imported", 1);
    expect("import.cancelled", 0);
    if (n("import.approved") < 1) problems.push(`${driven.label}: imported without an import.approved event`);
  } else {
    expect("import.imported", 0);
  }
  if (state === "cancelled") expect("import.cancelled", 1);
  if (state === "awaiting_approval" && n("import.uploaded") < 1) problems.push(`${driven.label}: awaits approval without an import.uploaded event`);
  // Every ImportKeyMaterial the emulator counted for it ended in an import.imported or import.failed event.
  if (n("import.imported") + n("import.failed") < driven.imports) {
    problems.push(`${driven.label}: ${driven.imports} ImportKeyMaterial call(s) but ${n("import.imported") + n("import.failed")} import.imported/failed event(s)`);
  }
  return problems;
}

export async function stateOf(context: RunContext, requestId: string): Promise<string> {
  return requestState(context.stack.apps[0]!.url, context.people.cora, requestId);
}

/** A KMS client as the first target's role (what Keyport assumes), for comparing KMS's view with Keyport's. */
async function withTargetKms<T>(context: RunContext, work: (kms: KMSClient) => Promise<T>): Promise<T> {
  const kms = await targetKms(context.stack);
  try {
    return await work(kms);
  } finally {
    kms.destroy();
  }
}

/** KMS's own state of a key. */
export function kmsKeyState(context: RunContext, keyId: string): Promise<string> {
  return withTargetKms(context, async (kms) => (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState!);
}

/** Every key id of the first target's Region, in the order ListKeys gives them (the order a refresh describes them in). */
export function listedKeyIds(context: RunContext): Promise<string[]> {
  return withTargetKms(context, async (kms) => {
    const ids: string[] = [];
    let marker: string | undefined;
    do {
      const page = await kms.send(new ListKeysCommand({ Limit: 1000, Marker: marker }));
      ids.push(...(page.Keys ?? []).map((k) => k.KeyId!));
      marker = page.Truncated ? page.NextMarker : undefined;
    } while (marker);
    return ids;
  });
}

/**
 * Whether the keys page (searched for the key, optionally filtered by key state) lists the key: its row links
 * to the key's page. (The key id alone is no proof: the search box repeats it.)
 */
export async function keysPageLists(appUrlValue: string, person: Person, keyId: string, state?: string): Promise<boolean> {
  const query = new URLSearchParams({ q: keyId, ...(state ? { state } : {}) });
  const response = await fetch(`${appUrlValue}/keys?${query}`, { headers: { Cookie: person.cookie } });
  if (response.status !== 200) throw new Error(`/keys?${query}: ${response.status}`);
  return (await response.text()).includes(`href="/keys/${TARGET.id}/${REGION}/${keyId}"`);
}

export { approveArgs } from "../journey";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function fail(message: string): never {
  throw new Error(message);
}
