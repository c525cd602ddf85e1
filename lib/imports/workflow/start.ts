import "server-only";
import { randomUUID } from "node:crypto";
import { appendAudit } from "@/lib/audit";
import type { Tx } from "@/lib/db";
import { isKeyportError, KeyportError } from "@/lib/errors";
import { checkWrapping, familyOf } from "../compat";
import type { Actor, ImportDeps } from "../deps";
import { invalidChoice, keyBusy, keyNotFound } from "../errors";
import * as queries from "../queries";
import { validToProblem, type ImportType, type StartImport } from "../schemas";
import { importBlockedBy, rotationBlockedBy } from "@/lib/inventory/key-readiness";
import type { KeySpec } from "../compat";
import { asKeySpec, auditActor, iso, keyFields } from "./shared";
import { issueParameters } from "./custodian";

/**
 * Opening a request on a key: an import or rotation (its first parameters obtained at once), or the deletion
 * of its material. One open request per key.
 */

// --- starting -----------------------------------------------------------------------------------------------

export type StartOutcome = { requestId: string; parametersError: { code: string; message: string } | null };

/**
 * Creates an import (or rotation) request for a key and obtains its first parameters as `actor`. When
 * GetParametersForImport fails the request stays a draft with the error recorded, so the custodian can try
 * again from the request page.
 */
type KeyForImport = NonNullable<Awaited<ReturnType<ImportDeps["inventory"]["getKey"]>>>;

/**
 * What an import or rotation into `key` will ask KMS for, checked against the key's state and spec: the
 * import type (symmetric keys), and a ValidTo KMS will accept. Throws the error a person can act on.
 */
export function importChoices(
  key: KeyForImport,
  input: Pick<StartImport, "kind" | "wrappingAlgorithm" | "wrappingKeySpec" | "importType" | "expirationModel" | "validTo">,
  now: Date,
): { keySpec: KeySpec; importType: ImportType | null; validTo: Date | null } {
  const keySpec = asKeySpec(key.keySpec ?? "unknown");
  const blocked = importBlockedBy(key.keyState);
  if (blocked) throw new KeyportError(key.keyState === "PendingDeletion" ? "pending_deletion" : "invalid_key_state", blocked, { status: 409 });
  const family = familyOf(keySpec);
  const check = checkWrapping(keySpec, key.region, input.wrappingAlgorithm, input.wrappingKeySpec);
  if (!check.ok) throw invalidChoice("wrappingAlgorithm", check.reason);

  let importType: ImportType | null = null;
  if (input.kind === "rotate") {
    if (family !== "SYMMETRIC") throw invalidChoice("kind", "Only symmetric encryption keys can rotate to new imported key material.");
    const multiRegion = rotationBlockedBy(key);
    if (multiRegion) throw invalidChoice("kind", multiRegion);
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

  let validTo: Date | null = null;
  if (input.expirationModel === "KEY_MATERIAL_EXPIRES") {
    if (!input.validTo) throw invalidChoice("validTo", "Give the date the key material expires (at most 365 days from now).");
    const problem = validToProblem(input.validTo, now.getTime());
    if (problem) throw invalidChoice("validTo", problem);
    validTo = input.validTo;
  }
  return { keySpec, importType, validTo };
}

export async function startImport(deps: ImportDeps, actor: Actor, input: StartImport): Promise<StartOutcome> {
  const key = await deps.inventory.getKey(input.target, input.region, input.keyId);
  if (!key) throw keyNotFound();
  const now = deps.now();
  const { keySpec, importType, validTo } = importChoices(key, input, now);

  const request = await deps.db.transaction((tx) => openImportRequest(tx, key, actor, now, input, { keySpec, importType, validTo }));

  return { requestId: request.id, parametersError: await firstParameters(deps, actor, request.id) };
}

/**
 * A new request's first parameters, as `actor`. KMS refusing them is not a failure of the start: the request
 * stays a draft with the error recorded, and the refusal is returned for the page to show.
 */
export async function firstParameters(deps: ImportDeps, actor: Actor, requestId: string): Promise<StartOutcome["parametersError"]> {
  try {
    await issueParameters(deps, actor, requestId);
    return null;
  } catch (error) {
    if (isKeyportError(error)) return { code: error.code, message: error.message };
    throw error;
  }
}

/** Inside a transaction: opens an import or rotation request on `key` (see openRequestOnKey) and audits it. */
export async function openImportRequest(
  tx: Tx,
  key: KeyForImport,
  actor: Actor,
  now: Date,
  input: Pick<StartImport, "kind" | "wrappingAlgorithm" | "wrappingKeySpec" | "expirationModel" | "justification">,
  choices: ReturnType<typeof importChoices>,
  sessionId: string | null = null,
): Promise<queries.RequestRow> {
  const row = await openRequestOnKey(tx, key, actor, now, {
    kind: input.kind,
    keySpec: choices.keySpec,
    state: "draft",
    wrappingAlgorithm: input.wrappingAlgorithm,
    wrappingKeySpec: input.wrappingKeySpec,
    importType: choices.importType,
    expirationModel: input.expirationModel,
    validTo: choices.validTo,
    justification: input.justification,
    sessionId,
  });
  await appendAudit(tx, {
    action: "import.requested",
    actor: auditActor(actor),
    at: now,
    ...keyFields(row),
    details: {
      kind: row.kind,
      keySpec: choices.keySpec,
      keyState: key.keyState,
      wrappingAlgorithm: input.wrappingAlgorithm,
      wrappingKeySpec: input.wrappingKeySpec,
      importType: choices.importType,
      expirationModel: input.expirationModel,
      validTo: iso(choices.validTo),
      justification: input.justification,
      ...(sessionId ? { sessionId } : {}),
    },
  });
  return row;
}

type KeyOfRequest = { targetId: string; region: string; arn: string; keyId: string };

/**
 * Inside a transaction: takes the key's lock, refuses if the key already has an open request (one at a time
 * per key), and inserts the new request for `actor`. Every kind of request starts here.
 */
export async function openRequestOnKey(
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
