import "server-only";
import type { KMSClient } from "@aws-sdk/client-kms";
import { describeKey, isPendingRotation, listKeyMaterial } from "@/lib/kms/operations";
import type { Progress } from "./failures";
import * as queries from "./queries";

/**
 * Before a retry imports again: what AWS KMS already holds. A run that failed ambiguously (a timeout, a lost
 * answer, a server stopped mid-call and marked `interrupted` by the sweep) may have imported the material
 * after all; importing it again would, for NEW_KEY_MATERIAL, add a second generation or be refused. So the
 * retry asks KMS first (DescribeKey, ListKeyRotations with ALL_KEY_MATERIAL) and completes the request from
 * what it finds.
 *
 * How Keyport recognises the material of this request, for symmetric keys (the only ones that can hold
 * more than one generation; an asymmetric or HMAC key accepts only its one material again, so a repeated
 * import there changes nothing):
 * - a first import (NEW_KEY_MATERIAL into a key in PendingImport): the key has left PendingImport and its
 *   CurrentKeyMaterialId is not one Keyport's own requests recorded;
 * - a rotation (NEW_KEY_MATERIAL into an enabled key): material pending rotation (PENDING_ROTATION, or for a
 *   multi-Region key PENDING_MULTI_REGION_IMPORT_AND_ROTATION) that Keyport's requests did not record;
 * - a reimport (EXISTING_KEY_MATERIAL): material IMPORTED with exactly the expiration this request asked for
 *   (the same ValidTo, or does-not-expire), so the key already holds what the request would give it.
 * Anything else means the import did not happen, and the retry imports.
 */

export type Found = { keyMaterialId: string | null; how: "current_material" | "pending_rotation" | "same_expiration" };

const SECOND = 1000;

function sameExpiration(entry: { expirationModel: string | null; validTo: Date | null }, req: queries.RequestRow): boolean {
  if ((req.expirationModel ?? "KEY_MATERIAL_EXPIRES") === "KEY_MATERIAL_DOES_NOT_EXPIRE") return entry.expirationModel === "KEY_MATERIAL_DOES_NOT_EXPIRE";
  // KMS keeps ValidTo to the second.
  return entry.expirationModel === "KEY_MATERIAL_EXPIRES" && !!entry.validTo && !!req.validTo && Math.abs(entry.validTo.getTime() - req.validTo.getTime()) < SECOND;
}

export async function materialAlreadyImported(
  q: queries.Q,
  client: KMSClient,
  req: queries.RequestRow,
  progress: Progress,
): Promise<Found | null> {
  if (!req.importType) return null;
  const recorded = await queries.recordedKeyMaterialIds(q, req, req.id);
  const fresh = (id: string | null): id is string => !!id && !recorded.has(id);

  if (req.kind === "import" && req.importType === "NEW_KEY_MATERIAL") {
    Object.assign(progress, { operation: "DescribeKey" });
    const key = await describeKey(client, req.keyArn);
    if (key.keyState === "PendingImport" || !fresh(key.currentKeyMaterialId)) return null;
    return { keyMaterialId: key.currentKeyMaterialId, how: "current_material" };
  }

  Object.assign(progress, { operation: "ListKeyRotations" });
  const entries = await listKeyMaterial(client, req.keyArn);
  if (req.kind === "rotate") {
    const pending = entries.find((e) => isPendingRotation(e.state) && e.importState === "IMPORTED" && fresh(e.keyMaterialId));
    return pending ? { keyMaterialId: pending.keyMaterialId, how: "pending_rotation" } : null;
  }
  if (req.importType === "EXISTING_KEY_MATERIAL") {
    const same = entries.find((e) => e.importState === "IMPORTED" && !isPendingRotation(e.state) && sameExpiration(e, req));
    return same ? { keyMaterialId: same.keyMaterialId, how: "same_expiration" } : null;
  }
  return null;
}

/**
 * Before a retried rotation calls RotateKeyOnDemand: whether KMS already made this request's material current
 * (an earlier run rotated, and the answer was lost or the server stopped before recording it).
 */
export async function alreadyRotatedTo(client: KMSClient, req: queries.RequestRow, keyMaterialId: string | null, progress: Progress): Promise<boolean> {
  if (!keyMaterialId) return false;
  Object.assign(progress, { operation: "DescribeKey" });
  const key = await describeKey(client, req.keyArn);
  return key.currentKeyMaterialId === keyMaterialId;
}
