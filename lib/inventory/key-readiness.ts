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
