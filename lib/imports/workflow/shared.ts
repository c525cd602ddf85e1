import "server-only";
import { appendAudit, SYSTEM_ACTOR, type AuditEventInput } from "@/lib/audit";
import type { Tx } from "@/lib/db";
import type { RequestRef } from "@/lib/notify";
import { KeyportError } from "@/lib/errors";
import { sessionNameFor, type Principal } from "@/lib/kms";
import { isKeySpec, type KeySpec } from "../compat";
import { KEYPORT_ACTOR, type Actor, type ImportDeps } from "../deps";
import type { SelfApproval } from "../failures";
import { changedMeanwhile, notAllowedInState, requestNotFound } from "../errors";
import { requestFacts, type Person, type RequestFacts, type Verdict } from "../permissions";
import * as queries from "../queries";
import { nextState, onlyRotationLeft, type RequestEvent, type RequestState } from "../states";

/**
 * What every part of the workflow uses: who acts (principal, audit actor, person), dual control's verdicts,
 * the locked transition with its conditional UPDATE, and the audit fields of a request.
 */

export type Now = Date;
export type TransitionSet = Omit<Parameters<typeof queries.transitionRequest>[3], "state" | "updatedAt">;

export function principal(actor: Actor): Principal {
  return { kind: "person", id: actor.subject, email: actor.email };
}

/** The STS session name `actor`'s KMS calls carry (CloudTrail shows it): audited beside each call. */
export function sessionNameOf(actor: Actor): string {
  return sessionNameFor(actor.email || actor.subject);
}

export function auditActor(actor: Actor): AuditEventInput["actor"] {
  if (actor.subject === KEYPORT_ACTOR.subject) return SYSTEM_ACTOR;
  return { subject: actor.subject, name: actor.name, roles: [...actor.roles] };
}

export function personOf(actor: Actor): Person {
  return { id: actor.subject, roles: actor.roles };
}

/** Refuses with the permission module's own words: what the page showed as unavailable is refused here alike. */
export function enforce(verdict: Verdict): void {
  if (!verdict.allowed) throw verdict.error;
}

/**
 * `enforce` for the dual-control steps (approve, reject, retry): a refusal because the person requested or
 * uploaded it is noted in `refusal`, so recordSelfApproval audits it once the transaction has rolled back.
 */
export function enforceDualControl(
  facts: RequestFacts,
  actor: Actor,
  refusal: SelfApproval,
  decision: "approve" | "reject" | "retry",
  decide: (facts: RequestFacts, person: Person) => Verdict,
): void {
  const verdict = decide(facts, personOf(actor));
  if (verdict.allowed) return;
  if (verdict.error.code === "self_approval") {
    refusal.role = actor.subject === facts.requestedBySubject ? "requester" : "uploader";
    refusal.decision = decision;
  }
  throw verdict.error;
}

/** The facts lib/imports/permissions.ts decides on, read inside the caller's transaction (or outside one). */
export async function factsOf(q: queries.Q, deps: ImportDeps, req: queries.RequestRow, now: Date): Promise<RequestFacts> {
  const parameters = await queries.currentParameterSet(q, req.id);
  const blob = await queries.currentBlob(q, req.id);
  const approvals = await queries.approvalsOf(q, req.id);
  return requestFacts({ request: req, parameters, blob, approvals }, { approvalsRequired: deps.approvalsRequired, now: now.getTime() });
}

export function keyFields(req: Pick<queries.RequestRow, "id" | "targetId" | "region" | "keyArn">) {
  return { targetId: req.targetId, region: req.region, keyArn: req.keyArn, requestId: req.id };
}

export function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** Applies `event` to a locked request with a conditional UPDATE; throws if the move is not allowed or lost. */
export async function transition(
  tx: Tx,
  req: queries.RequestRow,
  event: RequestEvent,
  now: Now,
  set: TransitionSet = {},
): Promise<RequestState> {
  const to = nextState(req.kind, req.state, event);
  if (!to) throw notAllowedInState(req.kind, req.state, EVENT_PHRASES[event]);
  const changed = await queries.transitionRequest(tx, req.id, { state: req.state, version: req.version }, { ...set, state: to, updatedAt: now });
  if (changed !== 1) throw changedMeanwhile();
  return to;
}

/** Closes a locked request as cancelled, with its `import.cancelled` event (a person's cancel, or break glass's). */
export async function cancelLocked(tx: Tx, req: queries.RequestRow, actor: Actor, now: Now, details: Record<string, unknown>): Promise<void> {
  await transition(tx, req, "cancel", now, { closedAt: now });
  await appendAudit(tx, {
    action: "import.cancelled",
    actor: auditActor(actor),
    at: now,
    ...keyFields(req),
    details: { kind: req.kind, from: req.state, ...details },
  });
}

export const EVENT_PHRASES: Record<RequestEvent, string> = {
  issue_parameters: "be given new import parameters",
  upload: "take an upload",
  reach_quorum: "be approved",
  reject: "be rejected",
  succeed: "complete",
  fail: "fail",
  retry: "be retried",
  expire: "expire",
  cancel: "be cancelled",
};

export async function lockedOrThrow(tx: Tx, requestId: string): Promise<queries.RequestRow> {
  const req = await queries.lockRequest(tx, requestId);
  if (!req) throw requestNotFound();
  return req;
}

/** Same state and version as when it was read outside the transaction (a KMS call happened in between). */
export function assertUnchanged(locked: queries.RequestRow, seen: queries.RequestRow) {
  if (locked.state !== seen.state || locked.version !== seen.version) throw changedMeanwhile();
}

export function asKeySpec(value: string): KeySpec {
  if (!isKeySpec(value)) throw new KeyportError("unsupported_key_spec", `Keyport cannot import key material for key spec ${value}.`, { status: 422 });
  return value;
}

export function tokenSpent(req: queries.RequestRow): boolean {
  return onlyRotationLeft(req.kind, req.keyMaterialId);
}

/** The request as a notification names it: with the key's alias from the inventory, read in the same transaction. */
export async function requestRef(tx: Tx, req: queries.RequestRow): Promise<RequestRef> {
  const listed = await queries.getRequestListRow(tx, req.id);
  return { ...req, alias: listed?.alias ?? null };
}
