import type { KeyRecord, MaterialRecord, Store } from "../state";

/**
 * Time-driven changes KMS makes on its own — a new replica finishing its creation, a primary Region change
 * completing, key material reaching ValidTo, a key reaching its deletion date — applied lazily whenever a
 * key is looked at, judged by the emulator clock.
 */

export type LifecycleOutcome = "unchanged" | "changed" | "deleted";

export function applyLifecycle(store: Store, key: KeyRecord, now: number): LifecycleOutcome {
  if (key.keyState === "PendingDeletion" && key.deletionDate !== undefined && now >= key.deletionDate) {
    store.scope(key.accountId, key.region).removeKey(key.keyId);
    return "deleted";
  }
  let changed = false;
  if (key.keyState === "Creating" && key.creatingUntil !== undefined && now >= key.creatingUntil) {
    // A replica is made: one of an EXTERNAL primary waits for its own import; one of a KMS key holds the
    // primary's material (copied when it was replicated).
    key.keyState = key.origin === "EXTERNAL" ? "PendingImport" : "Enabled";
    delete key.creatingUntil;
    changed = true;
  }
  if (key.keyState === "Updating" && key.updatingUntil !== undefined && now >= key.updatingUntil) {
    // The primary Region change is complete. Both keys were Enabled when it started (UpdatePrimaryRegion
    // requires it), and AWS restores that state.
    key.keyState = "Enabled";
    delete key.updatingUntil;
    changed = true;
  }
  for (const material of [...key.materials]) {
    if (material.bytes === undefined || material.expirationModel !== "KEY_MATERIAL_EXPIRES") continue;
    if (material.validTo === undefined || now < material.validTo) continue;
    // At ValidTo KMS deletes the material; its record (id, description) stays so the same material can be
    // reimported. Material still pending rotation was never in use and simply goes away.
    changed = true;
    if (material.state === "PENDING_ROTATION") key.materials.splice(key.materials.indexOf(material), 1);
    else delete material.bytes;
  }
  if (changed && key.keyState !== "PendingDeletion" && isMissingMaterial(key)) key.keyState = "PendingImport";
  return changed ? "changed" : "unchanged";
}

/** True when material the key depends on (current or older generations) is not present. */
export function isMissingMaterial(key: KeyRecord): boolean {
  const inUse = key.materials.filter((m) => m.state !== "PENDING_ROTATION");
  return inUse.length === 0 || inUse.some((m) => m.bytes === undefined);
}

export function currentMaterial(key: KeyRecord): MaterialRecord | undefined {
  return key.materials.find((m) => m.state === "CURRENT");
}
