import "server-only";
import { createPublicKey, randomBytes, randomUUID } from "node:crypto";
import { appendAudit, appendAuditStandalone, SYSTEM_ACTOR, type AuditEventInput, type JsonObject } from "@/lib/audit";
import { openSecret, sealSecret, secretAad, sha256Hex } from "@/lib/crypto";
import type { Tx } from "@/lib/db";
import { isKeyportError, KeyportError } from "@/lib/errors";
import { logInternalError } from "@/lib/errors/internal";
import { isAwsFailure, toKmsError, type Principal } from "@/lib/kms";
import {
  decrypt,
  deleteImportedKeyMaterial,
  encrypt,
  generateMac,
  getParametersForImport,
  getPublicKey,
  importKeyMaterial,
  rotateKeyOnDemand,
  type WrappingAlgorithm as KmsWrappingAlgorithm,
  type WrappingKeySpec as KmsWrappingKeySpec,
} from "@/lib/kms/operations";
import { KCV_MESSAGE, macAlgorithmFor } from "./commands";
import { checkBlobSize, checkWrapping, familyOf, isKeySpec, type KeySpec, type WrappingAlgorithm, type WrappingKeySpec } from "./compat";
import type { Actor, ImportDeps } from "./deps";
import { describeFailure, recordSelfApproval, verificationMethodOf, verificationUnavailable, type Progress, type SelfApproval } from "./failures";
import { changedMeanwhile, invalidChoice, keyBusy, keyNotFound, notAllowedInState, requestNotFound } from "./errors";
import { mayCancel, mayDecide, mayDownload, mayReissue, mayRetry, mayUpload, mayVerify, requestFacts, type Person, type RequestFacts, type Verdict } from "./permissions";
import * as queries from "./queries";
import { alreadyRotatedTo, materialAlreadyImported } from "./reconcile";
import {
  approvalConfirmation,
  BLOB_UNREVIEWED,
  CONFIRMATION_REQUIRED,
  NO_BLOB,
  validToProblem,
  type Decision,
  type ImportType,
  type StartImport,
} from "./schemas";
import { canDo, nextState, onlyRotationLeft, TOKEN_STATES, type RequestEvent, type RequestState } from "./states";

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
 */

type Now = Date;
type TransitionSet = Omit<Parameters<typeof queries.transitionRequest>[3], "state" | "updatedAt">;

function principal(actor: Actor): Principal {
  return { kind: "person", id: actor.subject, email: actor.email };
}

function auditActor(actor: Actor): AuditEventInput["actor"] {
  return { subject: actor.subject, name: actor.name, roles: [...actor.roles] };
}

function personOf(actor: Actor): Person {
  return { id: actor.subject, roles: actor.roles };
}

/** Refuses with the permission module's own words: what the page showed as unavailable is refused here alike. */
function enforce(verdict: Verdict): void {
  if (!verdict.allowed) throw verdict.error;
}

/**
 * `enforce` for the dual-control steps (approve, reject, retry): a refusal because the person requested or
 * uploaded it is noted in `refusal`, so recordSelfApproval audits it once the transaction has rolled back.
 */
function enforceDualControl(
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
async function factsOf(q: queries.Q, deps: ImportDeps, req: queries.RequestRow, now: Date): Promise<RequestFacts> {
  const parameters = await queries.currentParameterSet(q, req.id);
  const blob = await queries.currentBlob(q, req.id);
  const approvals = await queries.approvalsOf(q, req.id);
  return requestFacts({ request: req, parameters, blob, approvals }, { approvalsRequired: deps.approvalsRequired, now: now.getTime() });
}

function keyFields(req: Pick<queries.RequestRow, "id" | "targetId" | "region" | "keyArn">) {
  return { targetId: req.targetId, region: req.region, keyArn: req.keyArn, requestId: req.id };
}

function iso(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** Applies `event` to a locked request with a conditional UPDATE; throws if the move is not allowed or lost. */
async function transition(
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

const EVENT_PHRASES: Record<RequestEvent, string> = {
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

async function lockedOrThrow(tx: Tx, requestId: string): Promise<queries.RequestRow> {
  const req = await queries.lockRequest(tx, requestId);
  if (!req) throw requestNotFound();
  return req;
}

/** Same state and version as when it was read outside the transaction (a KMS call happened in between). */
function assertUnchanged(locked: queries.RequestRow, seen: queries.RequestRow) {
  if (locked.state !== seen.state || locked.version !== seen.version) throw changedMeanwhile();
}

function asKeySpec(value: string): KeySpec {
  if (!isKeySpec(value)) throw new KeyportError("unsupported_key_spec", `Keyport cannot import key material for key spec ${value}.`, { status: 422 });
  return value;
}

// --- expiry -------------------------------------------------------------------------------------------------

/**
 * Moves requests whose import token has passed ParametersValidTo to `expired` (all of them, or only
 * `requestId`), each in its own transaction with its `import.expired` event. Returns how many moved.
 */
export async function expireDue(deps: ImportDeps, options: { requestId?: string } = {}): Promise<number> {
  const now = deps.now();
  const due = await queries.dueForExpiry(deps.db, now, TOKEN_STATES, options.requestId);
  let moved = 0;
  for (const candidate of due) {
    const expired = await deps.db.transaction(async (tx) => {
      const req = await queries.lockRequest(tx, candidate.id);
      if (!req || !canDo(req.kind, req.state, "expire") || tokenSpent(req)) return false;
      const params = await queries.currentParameterSet(tx, req.id);
      if (!params || params.parametersValidTo.getTime() > now.getTime()) return false;
      await transition(tx, req, "expire", now);
      await appendAudit(tx, {
        action: "import.expired",
        actor: SYSTEM_ACTOR,
        at: now,
        ...keyFields(req),
        details: { from: req.state, parametersValidTo: params.parametersValidTo.toISOString(), parameterSetId: params.id },
      });
      return true;
    });
    if (expired) moved += 1;
  }
  return moved;
}

function tokenSpent(req: queries.RequestRow): boolean {
  return onlyRotationLeft(req.kind, req.keyMaterialId);
}

/** The default of KEYPORT_INTERRUPTED_AFTER_SECONDS: how long in `importing` before the sweep decides the process doing it is gone. */
export const INTERRUPTED_AFTER_MS = 15 * 60_000;

/**
 * A request left in `importing` (the server stopped between committing the quorum and recording KMS's
 * answer) becomes `failed` with an explanation, so that it can be checked and retried instead of hanging.
 */
export async function recoverInterrupted(deps: ImportDeps): Promise<number> {
  const now = deps.now();
  const stuck = await queries.stuckImporting(deps.db, new Date(now.getTime() - (deps.interruptedAfterMs ?? INTERRUPTED_AFTER_MS)));
  let moved = 0;
  for (const candidate of stuck) {
    const message =
      "Keyport stopped while this request was being carried out, so it does not know whether AWS KMS completed it. A retry first asks AWS KMS whether the import happened, and completes the request from that instead of importing again.";
    const done = await deps.db.transaction(async (tx) => {
      const req = await queries.lockRequest(tx, candidate.id);
      if (!req || req.state !== "importing" || req.version !== candidate.version) return false;
      await transition(tx, req, "fail", now, { lastErrorCode: "interrupted", lastErrorMessage: message });
      await appendAudit(tx, { action: "import.failed", actor: SYSTEM_ACTOR, at: now, ...keyFields(req), details: { code: "interrupted" } });
      return true;
    });
    if (done) moved += 1;
  }
  return moved;
}

// --- starting -----------------------------------------------------------------------------------------------

export type StartOutcome = { requestId: string; parametersError: { code: string; message: string } | null };

/**
 * Creates an import (or rotation) request for a key and obtains its first parameters as `actor`. When
 * GetParametersForImport fails the request stays a draft with the error recorded, so the custodian can try
 * again from the request page.
 */
export async function startImport(deps: ImportDeps, actor: Actor, input: StartImport): Promise<StartOutcome> {
  const key = await deps.inventory.getKey(input.target, input.region, input.keyId);
  if (!key) throw keyNotFound();
  const keySpec = asKeySpec(key.keySpec ?? "unknown");
  if (key.keyState === "PendingDeletion") {
    throw new KeyportError("pending_deletion", "This key is scheduled for deletion; cancel the deletion before importing.", { status: 409 });
  }
  const family = familyOf(keySpec);
  const check = checkWrapping(keySpec, key.region, input.wrappingAlgorithm, input.wrappingKeySpec);
  if (!check.ok) throw invalidChoice("wrappingAlgorithm", check.reason);

  let importType: ImportType | null = null;
  if (input.kind === "rotate") {
    if (family !== "SYMMETRIC") throw invalidChoice("kind", "Only symmetric encryption keys can rotate to new imported key material.");
    if (key.keyState !== "Enabled") {
      throw new KeyportError("invalid_key_state", "A rotation imports new key material into an enabled key; this key is not enabled.", { status: 409 });
    }
    if (input.importType && input.importType !== "NEW_KEY_MATERIAL") throw invalidChoice("importType", "A rotation imports NEW_KEY_MATERIAL.");
    importType = "NEW_KEY_MATERIAL";
  } else if (family === "SYMMETRIC") {
    importType = input.importType ?? (key.currentKeyMaterialId ? "EXISTING_KEY_MATERIAL" : "NEW_KEY_MATERIAL");
    if (importType === "NEW_KEY_MATERIAL" && key.keyState !== "PendingImport") {
      throw invalidChoice(
        "importType",
        "This key already holds key material. To bring in new material and make it current, request a rotation; to import the same material again, choose EXISTING_KEY_MATERIAL.",
      );
    }
  } else if (input.importType) {
    throw invalidChoice("importType", "The import type applies to symmetric encryption keys only.");
  }

  const now = deps.now();
  let validTo: Date | null = null;
  if (input.expirationModel === "KEY_MATERIAL_EXPIRES") {
    if (!input.validTo) throw invalidChoice("validTo", "Give the date the key material expires (at most 365 days from now).");
    const problem = validToProblem(input.validTo, now.getTime());
    if (problem) throw invalidChoice("validTo", problem);
    validTo = input.validTo;
  }

  const request = await deps.db.transaction(async (tx) => {
    const row = await openRequestOnKey(tx, key, actor, now, {
      kind: input.kind,
      keySpec,
      state: "draft",
      wrappingAlgorithm: input.wrappingAlgorithm,
      wrappingKeySpec: input.wrappingKeySpec,
      importType,
      expirationModel: input.expirationModel,
      validTo,
      justification: input.justification,
    });
    await appendAudit(tx, {
      action: "import.requested",
      actor: auditActor(actor),
      at: now,
      ...keyFields(row),
      details: {
        kind: row.kind,
        keySpec,
        keyState: key.keyState,
        wrappingAlgorithm: input.wrappingAlgorithm,
        wrappingKeySpec: input.wrappingKeySpec,
        importType,
        expirationModel: input.expirationModel,
        validTo: iso(validTo),
        justification: input.justification,
      },
    });
    return row;
  });

  try {
    await issueParameters(deps, actor, request.id);
    return { requestId: request.id, parametersError: null };
  } catch (error) {
    if (isKeyportError(error)) return { requestId: request.id, parametersError: { code: error.code, message: error.message } };
    throw error;
  }
}

type KeyOfRequest = { targetId: string; region: string; arn: string; keyId: string };

/**
 * Inside a transaction: takes the key's lock, refuses if the key already has an open request (one at a time
 * per key), and inserts the new request for `actor`. Every kind of request starts here.
 */
async function openRequestOnKey(
  tx: Tx,
  key: KeyOfRequest,
  actor: Actor,
  now: Date,
  fields: Omit<queries.NewRequest, "id" | "targetId" | "region" | "keyArn" | "keyId" | "requestedBySubject" | "requestedByName" | "requestedByEmail" | "createdAt">,
) {
  await queries.lockKey(tx, key.targetId, key.region, key.keyId);
  const [open] = await queries.openRequestsOfKey(tx, key.targetId, key.region, key.keyId);
  if (open) throw keyBusy(open.id);
  return queries.insertRequest(tx, {
    id: randomUUID(),
    targetId: key.targetId,
    region: key.region,
    keyArn: key.arn,
    keyId: key.keyId,
    requestedBySubject: actor.subject,
    requestedByName: actor.name,
    requestedByEmail: actor.email,
    createdAt: now,
    ...fields,
  });
}

/**
 * Deleting imported key material is a request of its own under the same quorum: it waits for approval from
 * the moment it is made (there are no parameters), and its approval calls DeleteImportedKeyMaterial.
 */
export async function requestMaterialDeletion(
  deps: ImportDeps,
  actor: Actor,
  input: { target: string; region: string; keyId: string; justification: string },
): Promise<{ requestId: string }> {
  const key = await deps.inventory.getKey(input.target, input.region, input.keyId);
  if (!key) throw keyNotFound();
  if (key.keyState === "PendingImport") {
    throw new KeyportError("no_material", "This key holds no imported key material, so there is nothing to delete.", { status: 409 });
  }
  const now = deps.now();
  const row = await deps.db.transaction(async (tx) => {
    // A deletion has no parameters: it waits for approval from the start (states.ts).
    const inserted = await openRequestOnKey(tx, key, actor, now, {
      kind: "delete_material",
      keySpec: key.keySpec ?? "unknown",
      state: "awaiting_approval",
      wrappingAlgorithm: null,
      wrappingKeySpec: null,
      importType: null,
      expirationModel: null,
      validTo: null,
      justification: input.justification,
    });
    await appendAudit(tx, {
      action: "material.deletion_requested",
      actor: auditActor(actor),
      at: now,
      ...keyFields(inserted),
      details: { keyState: key.keyState, currentKeyMaterialId: key.currentKeyMaterialId, justification: input.justification },
    });
    return inserted;
  });
  return { requestId: row.id };
}

// --- parameters ---------------------------------------------------------------------------------------------

/**
 * GetParametersForImport as `actor`, then stores the pair (the token sealed at rest) as the request's
 * current parameters. A reissue supersedes the previous pair and any blob wrapped with it (a blob cannot be
 * used with another token).
 */
export async function issueParameters(deps: ImportDeps, actor: Actor, requestId: string): Promise<{ parameterSetId: string; parametersValidTo: Date }> {
  await expireDue(deps, { requestId });
  const req = await queries.getRequest(deps.db, requestId);
  if (!req) throw requestNotFound();
  enforce(mayReissue(await factsOf(deps.db, deps, req, deps.now()), personOf(actor)));
  if (!req.wrappingAlgorithm || !req.wrappingKeySpec) throw notAllowedInState(req.kind, req.state, EVENT_PHRASES.issue_parameters);

  const client = deps.kms.kms(req.targetId, req.region, principal(actor));
  let params: Awaited<ReturnType<typeof getParametersForImport>>;
  try {
    params = await getParametersForImport(client, {
      keyArn: req.keyArn,
      wrappingAlgorithm: req.wrappingAlgorithm as KmsWrappingAlgorithm,
      wrappingKeySpec: req.wrappingKeySpec as KmsWrappingKeySpec,
    });
  } catch (error) {
    const e = toKmsError(error);
    const at = deps.now();
    await deps.db.transaction(async (tx) => {
      await lockedOrThrow(tx, requestId);
      await queries.recordRequestError(tx, requestId, { code: e.code, message: e.message }, at);
      await appendAudit(tx, {
        action: "import.failed",
        actor: auditActor(actor),
        at,
        ...keyFields(req),
        kmsRequestId: e.details.requestId,
        details: { operation: "GetParametersForImport", code: e.code, awsName: e.details.awsName, state: req.state },
      });
    });
    throw e;
  }

  const now = deps.now();
  const parameterSetId = randomUUID();
  const importTokenSha256 = sha256Hex(params.importToken);
  const sealed = sealSecret(params.importToken, deps.dataKey, secretAad("parameter_set.import_token", parameterSetId));
  params.importToken.fill(0);
  const publicKeySha256 = sha256Hex(params.publicKey);

  await deps.db.transaction(async (tx) => {
    const locked = await lockedOrThrow(tx, requestId);
    assertUnchanged(locked, req);
    const previous = await queries.currentParameterSet(tx, requestId);
    const previousBlob = await queries.currentBlob(tx, requestId);
    await queries.supersedeParameterSets(tx, requestId, now);
    await queries.supersedeBlobs(tx, requestId, now);
    await queries.insertParameterSet(tx, {
      id: parameterSetId,
      requestId,
      wrappingAlgorithm: locked.wrappingAlgorithm ?? "",
      wrappingKeySpec: locked.wrappingKeySpec ?? "",
      publicKey: params.publicKey,
      publicKeySha256,
      importTokenCiphertext: sealed,
      importTokenSha256,
      parametersValidTo: params.parametersValidTo,
      kmsRequestId: params.requestId ?? null,
      issuedBySubject: actor.subject,
      issuedByName: actor.name,
      issuedAt: now,
    });
    await transition(tx, locked, "issue_parameters", now, { lastErrorCode: null, lastErrorMessage: null });
    await appendAudit(tx, {
      action: "import.parameters_issued",
      actor: auditActor(actor),
      at: now,
      ...keyFields(locked),
      kmsRequestId: params.requestId,
      details: {
        reissue: previous !== null,
        from: locked.state,
        parameterSetId,
        wrappingAlgorithm: locked.wrappingAlgorithm,
        wrappingKeySpec: locked.wrappingKeySpec,
        publicKeySha256,
        importTokenSha256,
        parametersValidTo: params.parametersValidTo.toISOString(),
        supersededParameterSetId: previous?.id,
        supersededBlobSha256: previousBlob?.sha256,
      },
    });
  });
  return { parameterSetId, parametersValidTo: params.parametersValidTo };
}

// --- downloads ----------------------------------------------------------------------------------------------

export type ParameterFile = "WrappingPublicKey.bin" | "WrappingPublicKey.pem" | "ImportToken.bin";

/**
 * The public key as PEM (SubjectPublicKeyInfo), written by Node's crypto: it parses the DER first, so bytes that
 * are not a public key fail here instead of reaching a custodian as a PEM that openssl then refuses.
 */
export function publicKeyPem(der: Buffer): string {
  let key;
  try {
    key = createPublicKey({ key: der, format: "der", type: "spki" });
  } catch (cause) {
    throw new Error("The wrapping public key is not a DER SubjectPublicKeyInfo, so it cannot be written as PEM.", { cause });
  }
  return key.export({ type: "spki", format: "pem" }).toString();
}

/**
 * The current parameters of a request that may still hand them out, for a download. Refuses (410) once the
 * token expired or the request moved on. The import token is opened only here and goes straight to the
 * response; it is never logged.
 */
export async function parametersForDownload(
  deps: ImportDeps,
  actor: Actor,
  requestId: string,
): Promise<{ request: queries.RequestRow; parameters: queries.ParameterSetRow; importToken: () => Buffer }> {
  // A download is a read: an expired token is refused below by its time, and the expiry itself is left to
  // the sweep and the next state-changing action to record.
  const request = await queries.getRequest(deps.db, requestId);
  if (!request) throw requestNotFound();
  enforce(mayDownload(await factsOf(deps.db, deps, request, deps.now()), personOf(actor)));
  const parameters = await queries.currentParameterSet(deps.db, requestId);
  if (!parameters) throw requestNotFound();
  const sealed = await queries.sealedImportToken(deps.db, parameters.id);
  if (!sealed) throw requestNotFound();
  return {
    request,
    parameters,
    importToken: () => openSecret(sealed, deps.dataKey, secretAad("parameter_set.import_token", parameters.id)),
  };
}

/** Records a download in the audit trail (the one side effect a GET may have). */
export async function recordDownload(
  deps: ImportDeps,
  actor: Actor,
  request: queries.RequestRow,
  details: { file: string; sha256: string; size: number; parameterSetId: string },
): Promise<void> {
  await appendAuditStandalone(deps.db, {
    action: "import.downloaded",
    actor: auditActor(actor),
    at: deps.now(),
    ...keyFields(request),
    details,
  });
}

// --- upload -------------------------------------------------------------------------------------------------

/** Stores the custodian's EncryptedKeyMaterial.bin (sealed, with its SHA-256); the request awaits approval. */
export async function uploadBlob(deps: ImportDeps, actor: Actor, requestId: string, bytes: Buffer): Promise<{ sha256: string; size: number }> {
  await expireDue(deps, { requestId });
  const req = await queries.getRequest(deps.db, requestId);
  if (!req) throw requestNotFound();
  const now = deps.now();
  enforce(mayUpload(await factsOf(deps.db, deps, req, now), personOf(actor)));
  const params = await queries.currentParameterSet(deps.db, requestId);
  if (!params) throw notAllowedInState(req.kind, req.state, EVENT_PHRASES.upload);

  const size = checkBlobSize(
    bytes.length,
    asKeySpec(req.keySpec),
    req.region,
    params.wrappingAlgorithm as WrappingAlgorithm,
    params.wrappingKeySpec as WrappingKeySpec,
  );
  if (!size.ok) throw new KeyportError("blob_size", size.reason, { status: 422, fieldErrors: { file: [size.reason] } });

  const sha256 = sha256Hex(bytes);
  const blobId = randomUUID();
  const sealed = sealSecret(bytes, deps.dataKey, secretAad("wrapped_blob.ciphertext", blobId));

  await deps.db.transaction(async (tx) => {
    const locked = await lockedOrThrow(tx, requestId);
    assertUnchanged(locked, req);
    const current = await queries.currentParameterSet(tx, requestId);
    if (current?.id !== params.id) throw changedMeanwhile();
    const previous = await queries.currentBlob(tx, requestId);
    await queries.supersedeBlobs(tx, requestId, now);
    await queries.insertBlob(tx, {
      id: blobId,
      requestId,
      parameterSetId: params.id,
      ciphertext: sealed,
      sha256,
      size: bytes.length,
      uploadedBySubject: actor.subject,
      uploadedByName: actor.name,
      uploadedAt: now,
    });
    // After a failure the request awaits approval again; the error stays in the history, not on the request.
    await transition(tx, locked, "upload", now, { lastErrorCode: null, lastErrorMessage: null });
    await appendAudit(tx, {
      action: "import.uploaded",
      actor: auditActor(actor),
      at: now,
      ...keyFields(locked),
      details: { blobId, sha256, size: bytes.length, parameterSetId: params.id, replacedSha256: previous?.sha256, from: locked.state },
    });
  });
  return { sha256, size: bytes.length };
}

// --- cancel -------------------------------------------------------------------------------------------------

export async function cancelRequest(deps: ImportDeps, actor: Actor, requestId: string, reason?: string): Promise<void> {
  // An expiry the pages only showed is recorded first, so the trail says the token expired before the close.
  await expireDue(deps, { requestId });
  const now = deps.now();
  await deps.db.transaction(async (tx) => {
    const req = await lockedOrThrow(tx, requestId);
    enforce(mayCancel(await factsOf(tx, deps, req, now), personOf(actor)));
    await transition(tx, req, "cancel", now, { closedAt: now });
    await appendAudit(tx, {
      action: "import.cancelled",
      actor: auditActor(actor),
      at: now,
      ...keyFields(req),
      details: { kind: req.kind, from: req.state, reason },
    });
  });
}

// --- approvals and the import itself ------------------------------------------------------------------------

export type ExecutionResult =
  | { ok: true; keyMaterialId: string | null; kmsRequestId: string | null; verification: VerificationResult | null }
  | { ok: false; code: string; message: string; retryable: boolean };

export type DecisionOutcome = {
  state: RequestState;
  approvals: number;
  required: number;
  /** Set when this decision completed the quorum and so carried out the import (or deletion). */
  execution: ExecutionResult | null;
};

/**
 * An approver's decision. The requester and the uploader cannot decide (admins included). A rejection
 * closes the request; the approval that reaches the quorum moves it to `importing` and carries it out as
 * this approver.
 */
export async function decide(deps: ImportDeps, actor: Actor, input: Decision): Promise<DecisionOutcome> {
  if (input.decision === "reject" && !input.comment) throw invalidChoice("comment", "Say why you reject it; the custodian reads this.");
  if (input.decision === "approve" && input.confirmed !== true) throw invalidChoice("confirmed", CONFIRMATION_REQUIRED);
  if (!input.blobSha256) throw invalidChoice("blobSha256", BLOB_UNREVIEWED);
  await expireDue(deps, { requestId: input.requestId });
  const now = deps.now();
  const required = deps.approvalsRequired;
  const refusal: SelfApproval = {};
  const outcome = await deps.db.transaction(async (tx) => {
    const req = await lockedOrThrow(tx, input.requestId);
    await deps.afterRequestLocked?.(req.id);
    enforceDualControl(await factsOf(tx, deps, req, now), actor, refusal, input.decision, (facts, person) => mayDecide(facts, person, input.decision));
    const blob = req.kind === "delete_material" ? null : await queries.currentBlob(tx, req.id);
    // The decision names the blob its approver reviewed; a new upload meanwhile means nobody reviewed this one.
    if (input.blobSha256 !== (blob?.sha256 ?? NO_BLOB)) {
      throw new KeyportError(
        "blob_changed",
        "The uploaded blob is not the one you reviewed (another file was uploaded meanwhile). Reload the request, compare the new SHA-256 with the uploader and decide again.",
        { status: 409 },
      );
    }

    await queries.insertApproval(tx, {
      requestId: req.id,
      wrappedBlobId: blob?.id ?? null,
      approverSubject: actor.subject,
      approverName: actor.name,
      decision: input.decision,
      comment: input.comment ?? null,
      createdAt: now,
    });
    const approvals = await queries.countApprovals(tx, req.id, blob?.id ?? null);
    let state: RequestState;
    if (input.decision === "reject") {
      state = await transition(tx, req, "reject", now, { closedAt: now });
    } else if (approvals >= required) {
      // The one approval that completes the quorum: only one transaction can make this move.
      state = await transition(tx, req, "reach_quorum", now);
    } else {
      state = req.state;
    }
    await appendAudit(tx, {
      action: input.decision === "approve" ? "import.approved" : "import.rejected",
      actor: auditActor(actor),
      at: now,
      ...keyFields(req),
      details: {
        kind: req.kind,
        comment: input.comment,
        blobSha256: blob?.sha256,
        confirmation: input.decision === "approve" ? approvalConfirmation(req.kind) : undefined,
        approvals,
        required,
        quorumReached: state === "importing",
      },
    });
    return { state, approvals };
  }).catch((error: unknown) => recordSelfApproval(deps, actor, input.requestId, refusal, error));

  const execution = outcome.state === "importing" ? await execute(deps, actor, input.requestId) : null;
  return {
    state: execution ? (execution.ok ? "imported" : "failed") : outcome.state,
    approvals: outcome.approvals,
    required,
    execution,
  };
}

/**
 * Runs a failed import (or deletion) again as `actor`, while its token lives. The approvals still stand
 * (they are bound to the blob, which has not changed); the requester and uploader still cannot do it.
 */
export async function retryRequest(deps: ImportDeps, actor: Actor, requestId: string): Promise<ExecutionResult> {
  await expireDue(deps, { requestId });
  const now = deps.now();
  const refusal: SelfApproval = {};
  await deps.db.transaction(async (tx) => {
    const req = await lockedOrThrow(tx, requestId);
    enforceDualControl(await factsOf(tx, deps, req, now), actor, refusal, "retry", mayRetry);
    await transition(tx, req, "retry", now, { lastErrorCode: null, lastErrorMessage: null });
    await appendAudit(tx, {
      action: "import.retried",
      actor: auditActor(actor),
      at: now,
      ...keyFields(req),
      details: { kind: req.kind, previousErrorCode: req.lastErrorCode },
    });
  }).catch((error: unknown) => recordSelfApproval(deps, actor, requestId, refusal, error));
  // The failed run may have reached KMS after all (lib/imports/reconcile.ts): ask before importing again.
  return execute(deps, actor, requestId, { askKmsFirst: true });
}

/** `recoveredFromKms`: the import was found already done in KMS (an earlier, ambiguous run), not made now. */
type Execution = { keyMaterialId: string | null; kmsRequestId: string | null; recoveredFromKms: boolean };

async function runKms(deps: ImportDeps, actor: Actor, req: queries.RequestRow, progress: Progress, askKmsFirst: boolean): Promise<Execution> {
  const client = deps.kms.kms(req.targetId, req.region, principal(actor));
  if (req.kind === "delete_material") {
    Object.assign(progress, { stage: "sending", operation: "DeleteImportedKeyMaterial" });
    const out = await deleteImportedKeyMaterial(client, { keyArn: req.keyArn });
    return { keyMaterialId: out.keyMaterialId, kmsRequestId: out.requestId ?? null, recoveredFromKms: false };
  }
  let imported: Execution = { keyMaterialId: req.keyMaterialId, kmsRequestId: req.kmsRequestId, recoveredFromKms: false };
  const found = askKmsFirst && !tokenSpent(req) ? await materialAlreadyImported(deps.db, client, req, progress) : null;
  if (found) {
    imported = { keyMaterialId: found.keyMaterialId, kmsRequestId: null, recoveredFromKms: true };
    Object.assign(progress, { stage: "imported", operation: null, keyMaterialId: found.keyMaterialId });
  }
  // A rotation whose import succeeded but whose RotateKeyOnDemand failed only rotates on retry.
  if (!tokenSpent(req) && !found) {
    const params = await queries.currentParameterSet(deps.db, req.id);
    const blob = await queries.currentBlob(deps.db, req.id);
    if (!params || !blob) throw changedMeanwhile();
    const sealedToken = await queries.sealedImportToken(deps.db, params.id);
    const sealedMaterial = await queries.sealedBlob(deps.db, blob.id);
    if (!sealedToken || !sealedMaterial) throw changedMeanwhile();
    const importToken = openSecret(sealedToken, deps.dataKey, secretAad("parameter_set.import_token", params.id));
    const encryptedKeyMaterial = openSecret(sealedMaterial, deps.dataKey, secretAad("wrapped_blob.ciphertext", blob.id));
    try {
      Object.assign(progress, { stage: "sending", operation: "ImportKeyMaterial" });
      const out = await importKeyMaterial(client, {
        keyArn: req.keyArn,
        importToken,
        encryptedKeyMaterial,
        expirationModel: (req.expirationModel ?? "KEY_MATERIAL_EXPIRES") as "KEY_MATERIAL_EXPIRES" | "KEY_MATERIAL_DOES_NOT_EXPIRE",
        validTo: req.validTo ?? undefined,
        importType: (req.importType ?? undefined) as ImportType | undefined,
      });
      imported = { keyMaterialId: out.keyMaterialId, kmsRequestId: out.requestId ?? null, recoveredFromKms: false };
      Object.assign(progress, { stage: "imported", keyMaterialId: out.keyMaterialId });
    } finally {
      importToken.fill(0);
      encryptedKeyMaterial.fill(0);
    }
    if (req.kind === "rotate") await recordRotationImport(deps, actor, req, imported, blob.sha256);
  }
  if (found && req.kind === "rotate") {
    const blob = await queries.currentBlob(deps.db, req.id);
    await recordRotationImport(deps, actor, req, imported, blob?.sha256 ?? null);
  }
  if (req.kind === "rotate") {
    // An earlier run may have rotated already and lost the answer: then the material is current, and rotating
    // again would fail (nothing is pending) or, with other material pending, rotate to the wrong one.
    if (askKmsFirst && (await alreadyRotatedTo(client, req, imported.keyMaterialId, progress))) {
      return { keyMaterialId: imported.keyMaterialId, kmsRequestId: null, recoveredFromKms: true };
    }
    Object.assign(progress, { stage: "sending", operation: "RotateKeyOnDemand", keyMaterialId: imported.keyMaterialId });
    const out = await rotateKeyOnDemand(client, req.keyArn);
    // The rotation itself ran now; a recovered import was said in its own import.imported event.
    return { keyMaterialId: imported.keyMaterialId, kmsRequestId: out.requestId ?? null, recoveredFromKms: false };
  }
  return imported;
}

/**
 * A rotation's import, recorded before rotating, so a retry after a failed RotateKeyOnDemand does not import
 * twice. `recoveredFromKms` says when it was found in KMS rather than made by this run.
 */
async function recordRotationImport(deps: ImportDeps, actor: Actor, req: queries.RequestRow, imported: Execution, blobSha256: string | null): Promise<void> {
  const at = deps.now();
  await deps.db.transaction(async (tx) => {
    const locked = await lockedOrThrow(tx, req.id);
    if (locked.state !== "importing") throw changedMeanwhile();
    await queries.transitionRequest(
      tx,
      req.id,
      { state: "importing", version: locked.version },
      { keyMaterialId: imported.keyMaterialId, kmsRequestId: imported.kmsRequestId, updatedAt: at },
    );
    await appendAudit(tx, {
      action: "import.imported",
      actor: auditActor(actor),
      at,
      ...keyFields(req),
      kmsRequestId: imported.kmsRequestId,
      details: {
        kind: req.kind,
        keyMaterialId: imported.keyMaterialId,
        importType: req.importType,
        blobSha256,
        recoveredFromKms: imported.recoveredFromKms || undefined,
      },
    });
  });
}

/** Carries out a request in `importing` as `actor`: the KMS call after the commit, its result in a new transaction. */
async function execute(deps: ImportDeps, actor: Actor, requestId: string, options: { askKmsFirst?: boolean } = {}): Promise<ExecutionResult> {
  const req = await queries.getRequest(deps.db, requestId);
  if (!req || req.state !== "importing") throw changedMeanwhile();
  const operation = req.kind === "delete_material" ? "DeleteImportedKeyMaterial" : req.kind === "rotate" ? "ImportKeyMaterial+RotateKeyOnDemand" : "ImportKeyMaterial";

  let done: Execution;
  const progress: Progress = { stage: "preparing", operation: null, keyMaterialId: req.keyMaterialId };
  try {
    done = await runKms(deps, actor, req, progress, options.askKmsFirst ?? false);
  } catch (error) {
    const failure = describeFailure(error, req, progress);
    const at = deps.now();
    await deps.db.transaction(async (tx) => {
      const locked = await lockedOrThrow(tx, requestId);
      if (locked.state !== "importing") throw changedMeanwhile();
      await transition(tx, locked, "fail", at, { lastErrorCode: failure.code, lastErrorMessage: failure.message });
      await appendAudit(tx, {
        action: "import.failed",
        actor: auditActor(actor),
        at,
        ...keyFields(req),
        kmsRequestId: failure.kmsRequestId,
        details: {
          kind: req.kind,
          operation,
          failedOperation: progress.operation ?? undefined,
          code: failure.code,
          awsName: failure.awsName,
          retryable: failure.retryable,
          reference: failure.reference,
        },
      });
    });
    await refreshQuietly(deps, req);
    return { ok: false, code: failure.code, message: failure.message, retryable: failure.retryable };
  }

  const at = deps.now();
  await deps.db.transaction(async (tx) => {
    const locked = await lockedOrThrow(tx, requestId);
    if (locked.state !== "importing") throw changedMeanwhile();
    await transition(tx, locked, "succeed", at, { closedAt: at, keyMaterialId: done.keyMaterialId, kmsRequestId: done.kmsRequestId });
    const details: JsonObject = {
      kind: req.kind,
      keyMaterialId: done.keyMaterialId,
      importType: req.importType,
      expirationModel: req.expirationModel,
      validTo: iso(req.validTo),
      // Found in KMS after an ambiguous failure, not imported by this run: said so, so nobody reads it as a second import.
      recoveredFromKms: done.recoveredFromKms || undefined,
    };
    const action = req.kind === "delete_material" ? "material.deleted" : req.kind === "rotate" ? "material.rotated" : "import.imported";
    await appendAudit(tx, { action, actor: auditActor(actor), at, ...keyFields(req), kmsRequestId: done.kmsRequestId, details });
  });
  await refreshQuietly(deps, req);
  const verification = req.kind === "delete_material" ? null : await verifyAfterImport(deps, actor, req);
  return { ok: true, keyMaterialId: done.keyMaterialId, kmsRequestId: done.kmsRequestId, verification };
}

/** The verification that follows an import. It never undoes the import's success: a failure is logged and said. */
async function verifyAfterImport(deps: ImportDeps, actor: Actor, req: queries.RequestRow): Promise<VerificationResult> {
  try {
    return await verifyImport(deps, actor, req.id);
  } catch (error) {
    return verificationUnavailable(req.id, req.keySpec, deps.now(), error, "after its import");
  }
}

async function refreshQuietly(deps: ImportDeps, req: queries.RequestRow): Promise<void> {
  try {
    await deps.inventory.refreshKey(req.targetId, req.region, req.keyId);
  } catch (error) {
    // The import is recorded; the cache catches up at the next refresh.
    if (isAwsFailure(error)) console.warn(`[imports] could not refresh key ${req.keyId} after request ${req.id}: ${toKmsError(error).code}`);
    else logInternalError("imports", `while refreshing key ${req.keyId} after request ${req.id}`, error);
  }
}

// --- verification -------------------------------------------------------------------------------------------

export type VerificationResult =
  | { method: "encrypt_decrypt"; ok: true; keyMaterialId: string | null; sameMaterial: boolean | null; at: string }
  | { method: "key_check_value"; ok: true; macAlgorithm: string; message: string; mac: string; at: string }
  | { method: "public_key_fingerprint"; ok: true; sha256: string; publicKeyPem: string; at: string }
  | { method: "encrypt_decrypt" | "key_check_value" | "public_key_fingerprint"; ok: false; code: string; message: string; at: string };

/**
 * Verification after an import (lib/imports/README.md, "States", step 5), as `actor`: an Encrypt/Decrypt round trip for symmetric keys, a key check value
 * (GenerateMac over KCV_MESSAGE) for HMAC keys, the SHA-256 fingerprint of the public key KMS reports for
 * asymmetric keys. The result is audited (`import.verified`) and returned.
 */
export async function verifyImport(deps: ImportDeps, actor: Actor, requestId: string): Promise<VerificationResult> {
  const req = await queries.getRequest(deps.db, requestId);
  if (!req) throw requestNotFound();
  enforce(mayVerify(await factsOf(deps.db, deps, req, deps.now()), personOf(actor)));
  const keySpec = asKeySpec(req.keySpec);
  const family = familyOf(keySpec);
  const method = verificationMethodOf(keySpec);
  const client = deps.kms.kms(req.targetId, req.region, principal(actor));
  const at = deps.now();
  let result: VerificationResult;
  let kmsRequestId: string | undefined;
  try {
    if (family === "SYMMETRIC") {
      const probe = randomBytes(32);
      const context = { "keyport:verification": req.id };
      const sealed = await encrypt(client, { keyArn: req.keyArn, plaintext: probe, encryptionContext: context });
      const opened = await decrypt(client, { keyArn: req.keyArn, ciphertext: sealed.ciphertext, encryptionContext: context });
      kmsRequestId = opened.requestId;
      result = opened.plaintext.equals(probe)
        ? {
            method: "encrypt_decrypt",
            ok: true,
            keyMaterialId: opened.keyMaterialId,
            sameMaterial: opened.keyMaterialId && req.keyMaterialId ? opened.keyMaterialId === req.keyMaterialId : null,
            at: at.toISOString(),
          }
        : {
            method: "encrypt_decrypt",
            ok: false,
            code: "round_trip_mismatch",
            message: "AWS KMS decrypted to other bytes than it encrypted. Do not use this key; check its key material history.",
            at: at.toISOString(),
          };
    } else if (family === "HMAC") {
      const macAlgorithm = macAlgorithmFor(keySpec)!;
      const out = await generateMac(client, { keyArn: req.keyArn, message: Buffer.from(KCV_MESSAGE, "ascii"), macAlgorithm });
      kmsRequestId = out.requestId;
      result = { method: "key_check_value", ok: true, macAlgorithm, message: KCV_MESSAGE, mac: out.mac.toString("hex"), at: at.toISOString() };
    } else {
      const out = await getPublicKey(client, req.keyArn);
      kmsRequestId = out.requestId;
      result = { method: "public_key_fingerprint", ok: true, sha256: sha256Hex(out.publicKey), publicKeyPem: publicKeyPem(out.publicKey), at: at.toISOString() };
    }
  } catch (error) {
    if (isAwsFailure(error)) {
      const e = toKmsError(error);
      kmsRequestId = e.details.requestId;
      result = { method, ok: false, code: e.code, message: e.message, at: at.toISOString() };
    } else {
      result = verificationUnavailable(req.id, req.keySpec, at, error, "during its checks");
    }
  }
  const { publicKeyPem: _pem, ...recorded } = result as VerificationResult & { publicKeyPem?: string };
  void _pem; // The fingerprint identifies the public key; the PEM itself is re-derivable and would bloat the trail.
  await appendAuditStandalone(deps.db, {
    action: "import.verified",
    actor: auditActor(actor),
    at,
    ...keyFields(req),
    kmsRequestId,
    details: recorded,
  });
  return result;
}

export type { Actor, ImportDeps } from "./deps";
