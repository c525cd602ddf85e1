import "server-only";
import { listAuditEvents, type AuditEvent } from "@/lib/audit";
import { keyRefId, type KeyRef } from "@/lib/inventory/material-summary";
import type { ImportDeps } from "./deps";
import { servedDigests } from "./downloads";
import * as queries from "./queries";
import { effectiveState, TOKEN_STATES, type RequestState } from "./states";
import { sessionMembers, standingBreakGlass, type VerificationResult } from "./workflow";

/**
 * What pages (and the change poll) read about import requests. Reads never write: a request whose token
 * has passed ParametersValidTo is shown as `expired` — its effective state (states.ts `effectiveState`) —
 * before the sweep or the next state-changing action records the expiry and its audit event, once
 * (workflow.ts `expireDue`). Nothing here returns a sealed token or blob.
 */

/** The row as it stands at `nowMs`: the state it is in, recorded or not. */
function effective<T extends queries.RequestListRow>(row: T, nowMs: number): T {
  const state = effectiveState(row, row.parametersValidTo, nowMs);
  return state === row.state ? row : { ...row, state };
}

/** Requests whose token has passed ParametersValidTo while the database still holds an earlier state. */
async function dueUnrecorded(deps: Pick<ImportDeps, "db" | "now">, requestId?: string) {
  const nowMs = deps.now().getTime();
  const due = await queries.dueForExpiry(deps.db, new Date(nowMs), TOKEN_STATES, requestId);
  return due.filter((row) => effectiveState(row, row.parametersValidTo, nowMs) === "expired");
}

export type RequestDetails = {
  request: queries.RequestListRow;
  parameters: queries.ParameterSetRow | null;
  /** How many parameter pairs this request has had (more than one: reissued). */
  parameterSets: number;
  blob: queries.BlobRow | null;
  approvals: queries.ApprovalRow[];
  /** The request's audit events, oldest first. */
  history: AuditEvent[];
  verification: VerificationResult | null;
  /** SHA-256 of WrappingPublicKey.pem and of the zip as the download route serves them (null without parameters). */
  servedSha256: { pem: string; zip: string } | null;
};

export async function requestDetails(deps: ImportDeps, requestId: string): Promise<RequestDetails | null> {
  const nowMs = deps.now().getTime();
  const row = await queries.getRequestListRow(deps.db, requestId);
  if (!row) return null;
  const request = effective(row, nowMs);
  const [parameters, sets, blob, approvals, trail] = await Promise.all([
    queries.currentParameterSet(deps.db, requestId),
    queries.parameterSetsOf(deps.db, requestId),
    queries.currentBlob(deps.db, requestId),
    queries.approvalsOf(deps.db, requestId),
    listAuditEvents(deps.db, { requestId }, { limit: 200 }),
  ]);
  const history = [...trail.events].reverse();
  const sealedToken = parameters ? await queries.sealedImportToken(deps.db, parameters.id) : null;
  const verified = trail.events.find((e) => e.action === "import.verified");
  return {
    request,
    parameters,
    parameterSets: sets.length,
    blob,
    approvals,
    history,
    verification: verified ? (verified.details as unknown as VerificationResult) : null,
    servedSha256: parameters && sealedToken ? servedDigests(request, parameters, sealedToken, deps.dataKey) : null,
  };
}

/** Newest change first, at most `limit` (default 200). */
export async function listImportRequests(
  deps: Pick<ImportDeps, "db" | "now">,
  filter: { states?: readonly RequestState[]; open?: boolean; key?: { targetId: string; region: string; keyId: string } } = {},
  limit?: number,
): Promise<queries.RequestListRow[]> {
  const nowMs = deps.now().getTime();
  // A request shown as expired may still be recorded in a token state: ask for those too, then filter.
  const wanted = filter.states;
  const stored = wanted?.includes("expired") ? [...new Set([...wanted, ...TOKEN_STATES])] : wanted;
  const rows = (await queries.listRequests(deps.db, { ...filter, states: stored }, limit)).map((row) => effective(row, nowMs));
  return wanted ? rows.filter((row) => wanted.includes(row.state)) : rows;
}

/** Requests per effective state. */
/**
 * One page of every request, newest first, or of those in one effective state (a request whose token passed
 * counts as expired before the sweep records it, as everywhere else), with how many there are in all.
 */
export async function pageImportRequests(
  deps: Pick<ImportDeps, "db" | "now">,
  state: RequestState | undefined,
  page: { page: number; pageSize: number },
): Promise<{ rows: queries.RequestListRow[]; total: number }> {
  const now = deps.now();
  const filter = state ? { effective: { states: [state], now } } : {};
  const [rows, total] = await Promise.all([
    queries.listRequests(deps.db, filter, page.pageSize, (page.page - 1) * page.pageSize),
    queries.countRequests(deps.db, filter),
  ]);
  return { rows: rows.map((row) => effective(row, now.getTime())), total };
}

export async function requestCounts(deps: Pick<ImportDeps, "db" | "now">): Promise<Partial<Record<RequestState, number>>> {
  const [counts, due] = await Promise.all([queries.countByState(deps.db), dueUnrecorded(deps)]);
  for (const row of due) {
    counts[row.state] = (counts[row.state] ?? 1) - 1;
    counts.expired = (counts.expired ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

export type QueueEntry = queries.RequestListRow & { approvals: queries.ApprovalRow[] };

export type ApprovalQueue = {
  /** One page of what approvers decide on (awaiting approval), newest change first, with each request's approvals. */
  waiting: QueueEntry[];
  waitingTotal: number;
  /** The newest of what is underway or failed after approval, at most `afterLimit`. */
  after: queries.RequestListRow[];
  afterTotal: number;
};

/**
 * The approvals page: a page of requests awaiting approval and the newest approved ones still importing or
 * failed, each list with how many there are in all. Effective states, so a request whose token has passed
 * is in neither. A fixed number of queries, however long the queue.
 */
export async function approvalQueue(
  deps: Pick<ImportDeps, "db" | "now">,
  page: { page: number; pageSize: number } = { page: 1, pageSize: 50 },
  afterLimit = page.pageSize,
): Promise<ApprovalQueue> {
  const now = deps.now();
  const waitingFilter: queries.RequestListFilter = { states: ["awaiting_approval"], effective: { states: ["awaiting_approval"], now } };
  const afterFilter: queries.RequestListFilter = { states: ["importing", "failed"], effective: { states: ["importing", "failed"], now } };
  const [waiting, waitingTotal, after, afterTotal] = await Promise.all([
    queries.listRequests(deps.db, waitingFilter, page.pageSize, (page.page - 1) * page.pageSize),
    queries.countRequests(deps.db, waitingFilter),
    queries.listRequests(deps.db, afterFilter, afterLimit),
    queries.countRequests(deps.db, afterFilter),
  ]);
  // Every listed request's approvals in one query, not one per card.
  const approvals = await queries.approvalsOfRequests(deps.db, waiting.map((row) => row.id));
  return {
    waiting: waiting.map((row) => ({ ...effective(row, now.getTime()), approvals: approvals.get(row.id) ?? [] })),
    waitingTotal,
    after: after.map((row) => effective(row, now.getTime())),
    afterTotal,
  };
}

/** The open requests of these keys, newest first, each in its effective state (a passed token is `expired`). */
export async function openRequestsForKeys(deps: Pick<ImportDeps, "db" | "now">, keys: readonly KeyRef[]) {
  const nowMs = deps.now().getTime();
  return (await queries.openRequestsForKeys(deps.db, keys)).map((row) => ({ ...row, state: effectiveState(row, row.parametersValidTo, nowMs) }));
}

export type OpenRequest = Awaited<ReturnType<typeof openRequestsForKeys>>[number];

/**
 * The open request of each key, by `keyRefId`, for the key list and the pending view alike: one query
 * for the page, the newest open request of a key, in its effective state.
 */
export async function openRequestByKey(deps: Pick<ImportDeps, "db" | "now">, keys: readonly KeyRef[]): Promise<Map<string, OpenRequest>> {
  const out = new Map<string, OpenRequest>();
  // Newest first: the first seen of a key is its open request.
  for (const row of await openRequestsForKeys(deps, keys)) {
    const id = keyRefId(row);
    if (!out.has(id)) out.set(id, row);
  }
  return out;
}

/** A key left without material by break glass, as its page and the key list show it until a dual-control import. */
export type BrokenGlass = { at: Date; by: string; reason: string; breakGlassId: string };

/** Which of `keyArns` break glass left without material, not restored since (derived from the trail). */
export async function brokenGlassKeys(deps: ImportDeps, keyArns: readonly string[]): Promise<Map<string, BrokenGlass>> {
  const out = new Map<string, BrokenGlass>();
  for (const [arn, event] of await standingBreakGlass(deps.db, keyArns)) {
    out.set(arn, {
      at: event.at,
      by: event.actor.name ?? event.actor.subject,
      reason: typeof event.details.reason === "string" ? event.details.reason : "",
      breakGlassId: typeof event.details.breakGlassId === "string" ? event.details.breakGlassId : "",
    });
  }
  return out;
}

export async function requestExists(deps: ImportDeps, requestId: string): Promise<boolean> {
  return (await queries.getRequest(deps.db, requestId)) !== null;
}

/**
 * A short string that changes whenever what a request's page shows changes (its state, or any event in its
 * history: a download, an upload, an approval), or, without a request id, what the approvals queue shows.
 * Pages poll it and re-render only when it moves, so one person sees another's approval within seconds. It
 * also moves when a token passes ParametersValidTo (the effective state changes before anything is written),
 * and it writes nothing.
 */
export async function changeStamp(deps: ImportDeps, requestId?: string): Promise<string> {
  if (!requestId) {
    const [stamp, due] = await Promise.all([queries.requestsStamp(deps.db), dueUnrecorded(deps)]);
    return `${stamp}.${due.length}`;
  }
  const [version, trail, due] = await Promise.all([
    queries.requestVersion(deps.db, requestId),
    listAuditEvents(deps.db, { requestId }, { limit: 1 }),
    dueUnrecorded(deps, requestId),
  ]);
  return `${version ?? 0}.${trail.events[0]?.seq ?? 0}.${due.length}`;
}

/**
 * `changeStamp` for a multi-Region session: it moves when any of its Regions' requests does. Polled every few
 * seconds, so it reads the members in stored order, without the inventory lookups that order them for pages.
 */
export async function sessionStamp(deps: ImportDeps, sessionId: string): Promise<string> {
  const members = await queries.sessionRequests(deps.db, sessionId);
  return (await Promise.all(members.map((m) => changeStamp(deps, m.id)))).join("|");
}

export async function sessionExists(deps: ImportDeps, sessionId: string): Promise<boolean> {
  return (await queries.sessionRequests(deps.db, sessionId)).length > 0;
}

/** A multi-Region import session as its page shows it: each Region's request in full, primary first. */
export type SessionDetails = { sessionId: string; members: RequestDetails[] };

export async function sessionDetails(deps: ImportDeps, sessionId: string): Promise<SessionDetails | null> {
  const members = await sessionMembers(deps, sessionId);
  if (members.length === 0) return null;
  const details = await Promise.all(members.map((m) => requestDetails(deps, m.id)));
  return { sessionId, members: details.filter((d): d is RequestDetails => !!d) };
}
