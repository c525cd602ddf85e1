import "server-only";

/**
 * The import workflow (lib/imports/README.md, "States"). Every function takes its dependencies first
 * (`ImportDeps`: database, KMS access, clock, policy), so tests run it against a fresh database and the
 * emulator.
 *
 * How races are settled, in the database:
 * - every state change locks the request row (SELECT … FOR UPDATE), applies `states.ts`, and writes with a
 *   conditional UPDATE on the state and version it saw, checking that exactly one row changed; the audit
 *   event recording it is appended in the same transaction, last;
 * - the approval that completes the quorum moves awaiting_approval → importing in its transaction; only one
 *   approval can do that, and only its caller then calls KMS — after the commit, never inside a
 *   transaction — and records the result in a second transaction. So ImportKeyMaterial runs exactly once
 *   however many approvers click at the same moment;
 * - a request whose token passed ParametersValidTo is moved to `expired` (with its audit event, once) by the
 *   periodic sweep (sweep.ts) and before every state-changing action; reads only show it as expired
 *   (read.ts, states.ts `effectiveState`) and never write.
 *
 * The workflow by family of transition, one module each under workflow/: start.ts (a request is opened),
 * custodian.ts (parameters, downloads, the upload, cancelling), execute.ts (decisions, the KMS call, retries),
 * verify.ts (proving the material), expiry.ts (the sweep's half); shared.ts holds what they all use.
 */
export { expireDue, INTERRUPTED_AFTER_MS, recoverInterrupted } from "./workflow/expiry";
export { requestMaterialDeletion, startImport, type StartOutcome } from "./workflow/start";
export {
  cancelRequest,
  issueParameters,
  parametersForDownload,
  publicKeyPem,
  recordDownload,
  uploadBlob,
  type ParameterFile,
} from "./workflow/custodian";
export { decide, retryRequest, type DecisionOutcome, type ExecutionResult } from "./workflow/execute";
export { verifyImport, type VerificationResult } from "./workflow/verify";
export { breakGlass, breakGlassDisabled, standingBreakGlass } from "./workflow/break-glass";
export { decideSession, sessionMembers, startSession, verifySessionMaterial, type SessionDecision, type StartSession } from "./workflow/session";
export type { Actor, ImportDeps } from "./deps";
