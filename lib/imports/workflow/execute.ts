import "server-only";
import { appendAudit, type JsonObject } from "@/lib/audit";
import { openSecret, secretAad } from "@/lib/crypto";
import { KeyportError } from "@/lib/errors";
import { logInternalError } from "@/lib/errors/internal";
import { isAwsFailure, toKmsError } from "@/lib/kms";
import { deleteImportedKeyMaterial, importKeyMaterial, rotateKeyOnDemand } from "@/lib/kms/operations";
import { notifyImportFailed } from "@/lib/notify";
import { syncScheduleFacts } from "@/lib/schedules/facts";
import type { Actor, ImportDeps } from "../deps";
import { describeFailure, recordSelfApproval, verificationUnavailable, type Progress, type SelfApproval } from "../failures";
import { changedMeanwhile, invalidChoice } from "../errors";
import { mayDecide, mayRetry } from "../permissions";
import * as queries from "../queries";
import { alreadyRotatedTo, materialAlreadyImported } from "../reconcile";
import { approvalConfirmation, BLOB_UNREVIEWED, CONFIRMATION_REQUIRED, NO_BLOB, type Decision, type ImportType } from "../schemas";
import type { RequestState } from "../states";
import { auditActor, enforceDualControl, factsOf, iso, keyFields, lockedOrThrow, principal, requestRef, sessionNameOf, tokenSpent, transition } from "./shared";
import { expireDue } from "./expiry";
import { verifyImport, type VerificationResult } from "./verify";

/**
 * Decisions and the import itself: the approval that completes the quorum moves the request to `importing`
 * in its transaction, and only its caller then calls KMS (after the commit) and records the answer. Retries
 * ask KMS what it already holds first (reconcile.ts).
 */

// --- approvals and the import itself ------------------------------------------------------------------------

export type { DecisionOutcome, ExecutionResult } from "../outcomes";
import type { DecisionOutcome, ExecutionResult } from "../outcomes";

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
        sessionName: sessionNameOf(actor),
        recoveredFromKms: imported.recoveredFromKms || undefined,
      },
    });
  });
}

/** Carries out a request in `importing` as `actor`: the KMS call after the commit, its result in a new transaction. */
export async function execute(deps: ImportDeps, actor: Actor, requestId: string, options: { askKmsFirst?: boolean } = {}): Promise<ExecutionResult> {
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
          sessionName: sessionNameOf(actor),
        },
      });
      await notifyImportFailed(tx, () => requestRef(tx, locked), { code: failure.code, retryable: failure.retryable, at });
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
      sessionName: sessionNameOf(actor),
    };
    const action = req.kind === "delete_material" ? "material.deleted" : req.kind === "rotate" ? "material.rotated" : "import.imported";
    await appendAudit(tx, { action, actor: auditActor(actor), at, ...keyFields(req), kmsRequestId: done.kmsRequestId, details });
    // New material starts the key's rotation clock again, whether or not the refresh below reaches KMS.
    await syncScheduleFacts(tx, { targetId: req.targetId, region: req.region, keyId: req.keyId });
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
