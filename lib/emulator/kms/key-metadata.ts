import { keyArn } from "../ids";
import type { KeyRecord, Store } from "../state";
import { epochSeconds } from "./input";
import { algorithmsFor, familyOf } from "./key-specs";
import { currentMaterial } from "./lifecycle";

/**
 * DescribeKey's `KeyMetadata`, derived from the key record and, for a multi-Region key, its related keys in
 * the store (never stored, so it cannot go stale).
 */
export function keyMetadata(key: KeyRecord, store: Store): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: epochSeconds(key.createdAt),
    Enabled: key.keyState === "Enabled",
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    Origin: key.origin,
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...algorithmsFor(key.keySpec, key.keyUsage),
    MultiRegion: key.multiRegion,
  };
  if (key.keyState === "PendingDeletion" && key.deletionDate !== undefined) {
    metadata.DeletionDate = epochSeconds(key.deletionDate);
    metadata.PendingDeletionWindowInDays = key.pendingWindowInDays;
  }
  if (key.multiRegion) metadata.MultiRegionConfiguration = multiRegionConfiguration(key, store);
  if (key.origin === "EXTERNAL") Object.assign(metadata, expiryFields(key));
  const current = currentMaterial(key);
  if (familyOf(key.keySpec) === "SYMMETRIC" && current) metadata.CurrentKeyMaterialId = current.id;
  return metadata;
}

/**
 * ExpirationModel appears while imported material is present; ValidTo is the earliest expiry of material
 * present. After DeleteImportedKeyMaterial (or expiry) AWS answers without ExpirationModel, for every key
 * spec (recorded against AWS), while symmetric keys keep CurrentKeyMaterialId.
 */
function expiryFields(key: KeyRecord): Record<string, unknown> {
  const imported = key.materials.filter((m) => m.expirationModel !== undefined && m.bytes !== undefined);
  if (imported.length === 0) return {};
  const expiring = imported.filter((m) => m.bytes !== undefined && m.expirationModel === "KEY_MATERIAL_EXPIRES" && m.validTo !== undefined);
  if (expiring.length > 0) {
    return {
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: epochSeconds(Math.min(...expiring.map((m) => m.validTo as number))),
    };
  }
  const current = currentMaterial(key);
  const reference = current?.bytes !== undefined ? current : imported[imported.length - 1];
  return { ExpirationModel: reference?.expirationModel };
}

/**
 * PRIMARY or REPLICA, the primary's ARN and Region, and every replica — the key itself included when it is
 * one, as AWS answered for a new replica (recorded against AWS). While a primary Region change is under way,
 * "Operations such as DescribeKey might display both the old and new primary keys as replicas" (AWS KMS
 * developer guide, "Change the primary key in a set of multi-Region keys"): the emulator takes the stricter
 * "might" and shows an Updating key as REPLICA, so clients meet the transient answer; PrimaryKey already
 * names the new primary.
 */
function multiRegionConfiguration(key: KeyRecord, store: Store): Record<string, unknown> {
  const primaryRegion = key.primaryRegion ?? key.region;
  const replicas = relatedKeys(key, store).filter((k) => k.region !== primaryRegion);
  const primary = key.region === primaryRegion && key.keyState !== "Updating";
  return {
    MultiRegionKeyType: primary ? "PRIMARY" : "REPLICA",
    PrimaryKey: { Arn: keyArn(primaryRegion, key.accountId, key.keyId), Region: primaryRegion },
    ReplicaKeys: replicas.map((k) => ({ Arn: k.arn, Region: k.region })),
  };
}

/** The key and its related multi-Region keys: the same account and key id, in any Region. */
export function relatedKeys(key: KeyRecord, store: Store): KeyRecord[] {
  return store.relatedKeys(key.accountId, key.keyId);
}
