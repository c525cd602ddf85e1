/**
 * Whether a key can take key material in the state KMS last reported for it. GetParametersForImport and
 * ImportKeyMaterial accept keys that are PendingImport, Enabled or Disabled; every other state is refused
 * by KMS (KMSInvalidStateException, or UnsupportedOperationException for Unavailable), so Keyport says why
 * before anyone asks it to. A state not read yet (null) blocks nothing: KMS will answer for itself.
 */
export function importBlockedBy(keyState: string | null): string | null {
  switch (keyState) {
    case null:
    case "PendingImport":
    case "Enabled":
    case "Disabled":
      return null;
    case "PendingDeletion":
      return "This key is scheduled for deletion; cancel the deletion in AWS KMS before importing.";
    case "PendingReplicaDeletion":
      return "This multi-Region primary key is scheduled for deletion once its replicas are deleted; it cannot take key material.";
    case "Creating":
      return "AWS KMS is still creating this key (a new multi-Region replica stays in Creating for a while). Refresh the inventory in a minute, then start the import.";
    case "Updating":
      return "AWS KMS is updating this key (its primary Region is changing). Refresh the inventory in a minute, then start the import.";
    default:
      return `AWS KMS reports this key as ${keyState}, a state in which it cannot take key material.`;
  }
}

/**
 * Why a key cannot rotate to new imported material through Keyport, or null. KMS takes new material for a
 * multi-Region key only into its primary (NEW_KEY_MATERIAL), then the same bytes into every replica
 * (EXISTING_KEY_MATERIAL), and makes it current only once every Region holds it. A single-key request
 * cannot carry that through, so it is refused rather than left half-done with the primary's material
 * waiting on replicas nobody was asked to import.
 */
export function rotationBlockedBy(key: { multiRegion: boolean | null; primaryRegion: string | null; region: string }): string | null {
  if (!key.multiRegion) return null;
  if (key.primaryRegion && key.primaryRegion !== key.region) {
    return `This is a replica of a multi-Region key: new key material goes into its primary key in ${key.primaryRegion} first, then into every replica as the same material.`;
  }
  return "This is a multi-Region key: new key material must reach every one of its Regions before AWS KMS makes it current, which a single-key rotation cannot do. Reimport the same material per Region instead.";
}
