import "server-only";
import type { Tx } from "@/lib/db";
import { keyHref } from "@/lib/inventory/key-href";
import { enqueueNotification } from "./enqueue";
import { notificationsEnabled } from "./state";

/**
 * The messages Keyport's own workflow writes, each called inside the transaction that records its cause, next
 * to its audit event. They name keys, requests, people and states; never a token, a blob or key material.
 */

/** What a message needs to know of an import request. */
export type RequestRef = {
  id: string;
  targetId: string;
  region: string;
  keyArn: string;
  /** The key's first alias from the inventory, if any: people know keys by alias. */
  alias: string | null;
  sessionId: string | null;
  requestedByName: string | null;
  requestedBySubject: string;
};

function keyName(req: RequestRef): string {
  return req.alias ?? req.keyArn;
}

/** A session's members are decided once, on the session's page. */
export function requestPath(req: Pick<RequestRef, "id" | "sessionId">): string {
  return req.sessionId ? `/imports/sessions/${req.sessionId}` : `/imports/${req.id}`;
}

function refFields(req: RequestRef) {
  return { keyArn: req.keyArn, targetId: req.targetId, region: req.region, requestId: req.id, path: requestPath(req) };
}

const utc = (at: Date) => `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * The request is looked up only when notifications are on (`lookup`): the workflow's transactions pay for
 * the message's alias read only when a message will be written.
 */
type RefLookup = () => Promise<RequestRef>;

/** A wrapped blob was uploaded and the request awaits approval: once per uploaded blob. */
export async function notifyApprovalNeeded(tx: Tx, lookup: RefLookup, upload: { blobId: string; uploadedBy: string; at: Date }): Promise<void> {
  if (!notificationsEnabled()) return;
  const req = await lookup();
  const requester = req.requestedByName ?? req.requestedBySubject;
  await enqueueNotification(tx, {
    kind: "approval.needed",
    dedupeKey: `approval.needed:${req.id}:${upload.blobId}`,
    summary: `${upload.uploadedBy} uploaded wrapped key material for ${keyName(req)} in ${req.region} (requested by ${requester}); it awaits approval by someone else.`,
    ...refFields(req),
    fields: { "Requested by": requester, "Uploaded by": upload.uploadedBy },
    at: upload.at,
  });
}

/** An import (or deletion, or rotation) run failed: once per failure. */
export async function notifyImportFailed(tx: Tx, lookup: RefLookup, failure: { code: string; retryable: boolean; at: Date }): Promise<void> {
  if (!notificationsEnabled()) return;
  const req = await lookup();
  await enqueueNotification(tx, {
    kind: "import.failed",
    dedupeKey: `import.failed:${req.id}:${failure.at.toISOString()}`,
    summary: `The import into ${keyName(req)} in ${req.region} failed (${failure.code}). ${
      failure.retryable ? "An approver can retry it while its import token lives." : "Read the error on the request before doing anything else."
    }`,
    ...refFields(req),
    fields: { Error: failure.code, Retryable: failure.retryable ? "yes" : "no" },
    at: failure.at,
  });
}

/** An open request's import token expires soon: once per parameter set. */
export async function notifyParametersExpiring(
  tx: Tx,
  req: RequestRef & { state: string },
  parameters: { id: string; validTo: Date },
  at: Date,
): Promise<void> {
  const minutes = Math.max(1, Math.round((parameters.validTo.getTime() - at.getTime()) / 60_000));
  const todo =
    req.state === "awaiting_approval"
      ? "Approve or reject it before then; afterwards the custodian must reissue the parameters and upload again."
      : req.state === "failed"
        ? "Retry it before then; afterwards it needs new parameters and a new upload."
        : "Upload the wrapped key material before then, or reissue the parameters.";
  await enqueueNotification(tx, {
    kind: "parameters.expiring",
    dedupeKey: `parameters.expiring:${parameters.id}`,
    summary: `The import parameters for ${keyName(req)} in ${req.region} expire at ${utc(parameters.validTo)}, in ${minutes} minutes. ${todo}`,
    ...refFields(req),
    fields: { "Parameters valid to": utc(parameters.validTo), State: req.state },
    at,
  });
}

/** Key material whose ValidTo falls within the warning window: once a day per key. */
export async function notifyMaterialExpiring(
  tx: Tx,
  key: { targetId: string; region: string; keyId: string; arn: string; alias: string | null; validTo: Date },
  at: Date,
): Promise<void> {
  const left = key.validTo.getTime() - at.getTime();
  const days = Math.round(left / 86_400_000);
  await enqueueNotification(tx, {
    kind: "material.expiring",
    dedupeKey: `material.expiring:${key.arn}:${at.toISOString().slice(0, 10)}`,
    summary: `The key material of ${key.alias ?? key.arn} in ${key.region} expires at ${utc(key.validTo)} (${left < 86_400_000 ? "within a day" : `in ${days} day${days === 1 ? "" : "s"}`}). Import new material before then, or the key becomes unusable.`,
    keyArn: key.arn,
    targetId: key.targetId,
    region: key.region,
    path: keyHref(key),
    fields: { "Valid to": utc(key.validTo) },
    at,
  });
}
