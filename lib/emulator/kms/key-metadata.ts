import type { KeyRecord } from "../state";
import { epochSeconds } from "./input";
import { algorithmsFor, familyOf } from "./key-specs";
import { currentMaterial } from "./lifecycle";

/** DescribeKey's `KeyMetadata`, derived from the key record (never stored, so it cannot go stale). */
export function keyMetadata(key: KeyRecord): Record<string, unknown> {
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
  if (key.multiRegion) {
    metadata.MultiRegionConfiguration = {
      MultiRegionKeyType: "PRIMARY",
      PrimaryKey: { Arn: key.arn, Region: key.region },
      ReplicaKeys: [],
    };
  }
  if (key.origin === "EXTERNAL") Object.assign(metadata, expiryFields(key));
  const current = currentMaterial(key);
  if (familyOf(key.keySpec) === "SYMMETRIC" && current) metadata.CurrentKeyMaterialId = current.id;
  return metadata;
}

/**
 * ExpirationModel appears once material was imported; ValidTo is the earliest expiry of material present.
 */
function expiryFields(key: KeyRecord): Record<string, unknown> {
  const imported = key.materials.filter((m) => m.expirationModel !== undefined);
  if (imported.length === 0) return {};
  const expiring = imported.filter((m) => m.bytes !== undefined && m.expirationModel === "KEY_MATERIAL_EXPIRES" && m.validTo !== undefined);
  if (expiring.length > 0) {
    return {
      ExpirationModel: "KEY_MATERIAL_EXPIRES",
      ValidTo: epochSeconds(Math.min(...expiring.map((m) => m.validTo as number))),
    };
  }
  const reference = currentMaterial(key) ?? imported[imported.length - 1];
  return { ExpirationModel: reference?.expirationModel };
}
