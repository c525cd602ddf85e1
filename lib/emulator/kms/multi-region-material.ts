import { kms } from "../errors";
import type { KeyRecord, MaterialRecord } from "../state";
import type { KmsContext } from "./context";
import { relatedKeys } from "./key-metadata";
import { applyLifecycle } from "./lifecycle";

/**
 * Imported material of multi-Region symmetric keys. KMS never copies or synchronises imported material:
 * every related key takes its own import of the same bytes (AWS KMS developer guide, "Importing key
 * material into multi-Region keys"). New material (rotation) goes through the primary: NEW_KEY_MATERIAL
 * into the primary, then EXISTING_KEY_MATERIAL of the same bytes into every replica, then RotateKeyOnDemand
 * on the primary (ImportKeyMaterial and RotateKeyOnDemand API references).
 *
 * The two AWS sources disagree here: the developer guide's "Special considerations for imported key
 * material" still says the key material of multi-Region keys cannot be changed, while the ImportKeyMaterial
 * API reference (the newer text: its earlier wording listed multi-Region keys among those that cannot
 * change material, and was changed to allow it) describes new material for multi-Region symmetric keys.
 * The emulator follows the API reference.
 *
 * Material ids of related keys agree (ids.ts, materialScopeOf), so "the same material" is "the same id".
 */

export function isReplica(key: KeyRecord): boolean {
  return key.multiRegion && (key.primaryRegion ?? key.region) !== key.region;
}

/** The related keys other than `key`, with their own time-driven changes (expiry, creation) applied. */
export function liveRelatedKeys(ctx: KmsContext, key: KeyRecord): KeyRecord[] {
  const live: KeyRecord[] = [];
  for (const other of relatedKeys(key, ctx.store)) {
    if (other === key) continue;
    const outcome = applyLifecycle(ctx.store, other, ctx.now);
    if (outcome !== "unchanged") ctx.markDirty();
    if (outcome !== "deleted") live.push(other);
  }
  return live;
}

function primaryOf(ctx: KmsContext, key: KeyRecord): KeyRecord | undefined {
  const region = key.primaryRegion ?? key.region;
  return region === key.region ? key : liveRelatedKeys(ctx, key).find((k) => k.region === region);
}

/** IncorrectKeyMaterialException's message for bytes other than the key's (import-operations.ts too). */
export const DIFFERENT_MATERIAL = "The key material does not match the key material previously imported into this KMS key.";

const holds = (key: KeyRecord, materialId: string) => key.materials.some((m) => m.id === materialId && m.bytes !== undefined);

/** The replicas that do not hold this material (yet). */
export function replicasLacking(ctx: KmsContext, primary: KeyRecord, materialId: string): KeyRecord[] {
  return liveRelatedKeys(ctx, primary).filter((k) => !holds(k, materialId));
}

/**
 * KeyMaterialState as ListKeyRotations answers it. Pending material of a multi-Region key is
 * PENDING_MULTI_REGION_IMPORT_AND_ROTATION "imported into the primary Region key but not all of the replica
 * Region keys", PENDING_ROTATION once every replica has it (ListKeyRotations API reference, KeyMaterialState).
 * A replica's copy shows the same state as the primary's: AWS does not say what a replica lists, and one
 * state for one material across the set is the reading that cannot mislead.
 */
export function shownMaterialState(ctx: KmsContext, key: KeyRecord, material: MaterialRecord): string {
  if (!key.multiRegion || key.origin !== "EXTERNAL" || material.state !== "PENDING_ROTATION") return material.state;
  const primary = primaryOf(ctx, key);
  if (!primary || !holds(primary, material.id)) return material.state;
  return replicasLacking(ctx, primary, material.id).length > 0 ? "PENDING_MULTI_REGION_IMPORT_AND_ROTATION" : "PENDING_ROTATION";
}

/**
 * The material record a multi-Region replica's symmetric import goes to, or undefined when the usual
 * (single-key) rules decide: reimports of material the replica already has, and its first import.
 */
export function replicaImportTarget(
  ctx: KmsContext,
  replica: KeyRecord,
  importType: "NEW_KEY_MATERIAL" | "EXISTING_KEY_MATERIAL",
  requestedId: string | undefined,
  materialId: string,
): MaterialRecord | undefined {
  const wanted = requestedId ?? materialId;
  if (requestedId !== undefined && requestedId !== materialId && replica.materials.every((m) => m.id !== requestedId)) {
    if (primaryOf(ctx, replica)?.materials.some((m) => m.id === requestedId)) throw kms.incorrectKeyMaterial(DIFFERENT_MATERIAL);
  }
  if (replica.materials.length === 0) {
    // EXISTING_KEY_MATERIAL into a replica without material: the primary's material, or the usual refusal.
    if (importType === "EXISTING_KEY_MATERIAL" && !primaryOf(ctx, replica)?.materials.some((m) => m.id === wanted)) return undefined;
    // The replica's first import is its initial material, NEW_KEY_MATERIAL by default as for any key. AWS
    // asks for "the same key material" as the primary's but documents no check of it: different bytes are
    // accepted (UNCONFIRMED), and the keys are then simply not interoperable (ciphertext from one does
    // not decrypt in the other; ids.ts, materialScopeOf).
    return { id: materialId, state: "CURRENT" };
  }
  if (importType === "NEW_KEY_MATERIAL") {
    // "You cannot directly import new key material into the replica Region keys" (ImportKeyMaterial API
    // reference). AWS's exception and wording are not on record; UnsupportedOperationException ("a
    // specified resource is not valid for this operation") is the emulator's choice (UNCONFIRMED).
    throw kms.unsupported(
      `${replica.arn} is a multi-Region replica key; import new key material into the primary key in ${replica.primaryRegion} with ImportType NEW_KEY_MATERIAL, then the same material into this key with ImportType EXISTING_KEY_MATERIAL.`,
    );
  }
  if (replica.materials.some((m) => m.id === wanted)) return undefined;
  // EXISTING_KEY_MATERIAL that the replica never had: the primary's material pending rotation, imported
  // here "using the same key material imported to the primary Region key" (ImportKeyMaterial API reference).
  const pending = primaryOf(ctx, replica)?.materials.find((m) => m.state === "PENDING_ROTATION" && m.id === wanted);
  if (!pending) return undefined;
  if (replica.materials.some((m) => m.state === "PENDING_ROTATION")) {
    throw kms.invalidState(`${replica.arn} already has key material pending rotation. Delete it before importing other pending material.`);
  }
  return { id: materialId, state: "PENDING_ROTATION", ...(pending.description !== undefined ? { description: pending.description } : {}) };
}

/**
 * RotateKeyOnDemand on a multi-Region key runs on the primary only ("invoke the on-demand rotation on the
 * primary Region key", RotateKeyOnDemand API reference), and with imported material only once every
 * replica holds the pending material ("You must do this for every replica Region key before you can
 * perform the RotateKeyOnDemand operation", ImportKeyMaterial API reference). AWS's exceptions here are
 * not on record: UnsupportedOperationException for a replica, KMSInvalidStateException for missing
 * replica imports (UNCONFIRMED).
 */
export function assertRotatableSet(ctx: KmsContext, key: KeyRecord, pending: MaterialRecord | undefined): void {
  if (!key.multiRegion) return;
  if (isReplica(key)) {
    throw kms.unsupported(`${key.arn} is a multi-Region replica key; rotate the primary key in ${key.primaryRegion} instead.`);
  }
  if (key.origin !== "EXTERNAL" || !pending) return;
  const lacking = replicasLacking(ctx, key, pending.id);
  if (lacking.length > 0) {
    throw kms.invalidState(
      `Key material ${pending.id} of ${key.arn} is pending multi-Region import: import it with ImportType EXISTING_KEY_MATERIAL into the replica keys in ${lacking.map((k) => k.region).join(", ")} first.`,
    );
  }
}

/**
 * The rotation reaches every replica: the material made current on the primary becomes current on each
 * related key (RotateKeyOnDemand API reference: rotate "a set of related multi-Region keys" by rotating the
 * primary). Imported material is already in each replica (checked above); KMS-generated material is
 * shared, so the replica gets the primary's copy.
 */
export function rotateReplicas(ctx: KmsContext, primary: KeyRecord, next: MaterialRecord): void {
  if (!primary.multiRegion) return;
  for (const replica of liveRelatedKeys(ctx, primary)) {
    let copy = replica.materials.find((m) => m.id === next.id);
    if (copy?.state === "CURRENT") continue;
    if (!copy) {
      if (primary.origin === "EXTERNAL") continue;
      copy = { id: next.id, bytes: next.bytes, state: "PENDING_ROTATION" };
      replica.materials.push(copy);
    }
    const current = replica.materials.find((m) => m.state === "CURRENT");
    if (current) current.state = "NON_CURRENT";
    copy.state = "CURRENT";
    copy.rotationDate = next.rotationDate;
  }
}

/**
 * "When you delete the key material of a primary Region key that is in PENDING_ROTATION or
 * PENDING_MULTI_REGION_IMPORT_AND_ROTATION state, you'll also be deleting the key materials for the replica
 * Region keys. If you delete any key material of a replica Region key, the primary Region key and other
 * replica Region keys remain unchanged." (DeleteImportedKeyMaterial API reference). Only the replicas'
 * pending copies go; a replica that took the same bytes as its first (current) material keeps them.
 */
export function deleteReplicasPendingCopies(ctx: KmsContext, key: KeyRecord, deleted: MaterialRecord): void {
  if (!key.multiRegion || isReplica(key) || deleted.state !== "PENDING_ROTATION") return;
  for (const replica of liveRelatedKeys(ctx, key)) {
    const copy = replica.materials.findIndex((m) => m.id === deleted.id && m.state === "PENDING_ROTATION");
    if (copy >= 0) replica.materials.splice(copy, 1);
  }
}
