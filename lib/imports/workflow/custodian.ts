import "server-only";
import { createPublicKey, randomUUID } from "node:crypto";
import { appendAudit, appendAuditStandalone } from "@/lib/audit";
import { openSecret, sealSecret, secretAad, sha256Hex } from "@/lib/crypto";
import { KeyportError } from "@/lib/errors";
import { toKmsError } from "@/lib/kms";
import { notifyApprovalNeeded } from "@/lib/notify";
import {
  getParametersForImport,
  type WrappingAlgorithm as KmsWrappingAlgorithm,
  type WrappingKeySpec as KmsWrappingKeySpec,
} from "@/lib/kms/operations";
import { checkBlobSize, type WrappingAlgorithm, type WrappingKeySpec } from "../compat";
import type { Actor, ImportDeps } from "../deps";
import { changedMeanwhile, notAllowedInState, requestNotFound } from "../errors";
import { mayCancel, mayDownload, mayReissue, mayUpload } from "../permissions";
import * as queries from "../queries";
import {
  assertUnchanged,
  asKeySpec,
  auditActor,
  cancelLocked,
  enforce,
  EVENT_PHRASES,
  factsOf,
  keyFields,
  lockedOrThrow,
  personOf,
  principal,
  requestRef,
  sessionNameOf,
  transition,
} from "./shared";
import { expireDue } from "./expiry";

/**
 * The custodian's steps on a request: new parameters, the downloads, the upload of the wrapped material, and
 * cancelling.
 */

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
        details: { operation: "GetParametersForImport", code: e.code, awsName: e.details.awsName, state: req.state, sessionName: sessionNameOf(actor) },
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
        sessionName: sessionNameOf(actor),
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
    await notifyApprovalNeeded(tx, () => requestRef(tx, locked), { blobId, uploadedBy: actor.name ?? actor.subject, at: now });
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
    await cancelLocked(tx, req, actor, now, { reason });
  });
}
