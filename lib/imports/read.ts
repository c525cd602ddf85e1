import "server-only";
import { listAuditEvents, type AuditEvent } from "@/lib/audit";
import type { ImportDeps } from "./deps";
import { servedDigests } from "./downloads";
import * as queries from "./queries";
import type { RequestState } from "./states";
import { expireDue, type VerificationResult } from "./workflow";

/**
 * What pages read about import requests. Each read first moves requests whose token has expired to
 * `expired` (so whoever looks sees the truth, sweep or not). Nothing here returns a sealed token or blob.
 */

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
  await expireDue(deps, { requestId });
  const request = await queries.getRequestListRow(deps.db, requestId);
  if (!request) return null;
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

export async function listImportRequests(
  deps: ImportDeps,
  filter: { states?: readonly RequestState[]; open?: boolean; key?: { targetId: string; region: string; keyId: string } } = {},
): Promise<queries.RequestListRow[]> {
  await expireDue(deps);
  return queries.listRequests(deps.db, filter);
}

export async function requestCounts(deps: ImportDeps) {
  await expireDue(deps);
  return queries.countByState(deps.db);
}

export type QueueEntry = queries.RequestListRow & { approvals: queries.ApprovalRow[] };

/** What approvers decide on (awaiting approval), and what is underway or failed after approval. */
export async function approvalQueue(deps: ImportDeps): Promise<QueueEntry[]> {
  await expireDue(deps);
  const rows = await queries.listRequests(deps.db, { states: ["awaiting_approval", "importing", "failed"] });
  const approvals = await Promise.all(rows.map((row) => queries.approvalsOf(deps.db, row.id)));
  return rows.map((row, i) => ({ ...row, approvals: approvals[i] ?? [] }));
}

export async function openRequestsForKeys(deps: ImportDeps, keys: ReadonlyArray<{ targetId: string; region: string; keyId: string }>) {
  return queries.openRequestsForKeys(deps.db, keys);
}

export async function requestExists(deps: ImportDeps, requestId: string): Promise<boolean> {
  return (await queries.getRequest(deps.db, requestId)) !== null;
}

/**
 * A short string that changes whenever what a request's page shows changes (its state, or any event in its
 * history: a download, an upload, an approval), or, without a request id, what the approvals queue shows.
 * Pages poll it and re-render only when it moves, so one person sees another's approval within seconds.
 */
export async function changeStamp(deps: ImportDeps, requestId?: string): Promise<string> {
  await expireDue(deps, requestId ? { requestId } : {});
  if (!requestId) return queries.requestsStamp(deps.db);
  const [version, trail] = await Promise.all([queries.requestVersion(deps.db, requestId), listAuditEvents(deps.db, { requestId }, { limit: 1 })]);
  return `${version ?? 0}.${trail.events[0]?.seq ?? 0}`;
}
