/** The kinds of drift and how each reads to a person (pure: pages, notifications and tests share it). */
export const DRIFT_KINDS = ["material_not_imported", "material_deleted", "valid_to_changed", "key_disabled", "deletion_scheduled"] as const;

export type DriftKind = (typeof DRIFT_KINDS)[number];

export const DRIFT_KIND_LABELS: Record<DriftKind, string> = {
  material_not_imported: "Key material Keyport did not import",
  material_deleted: "Key material deleted outside Keyport",
  valid_to_changed: "Expiry changed by a reimport outside Keyport",
  key_disabled: "Key disabled outside Keyport",
  deletion_scheduled: "Key deletion scheduled outside Keyport",
};

/** What an auditor should find out, one sentence per kind (the notification's summary ends with it). */
export const DRIFT_KIND_ADVICE: Record<DriftKind, string> = {
  material_not_imported: "Find out who imported it (CloudTrail names the caller of ImportKeyMaterial) and whether the material is the custodians'.",
  material_deleted: "Find out who called DeleteImportedKeyMaterial (CloudTrail); the key cannot be used until material is imported again.",
  valid_to_changed: "Someone reimported the material with another expiry; CloudTrail names the caller of ImportKeyMaterial.",
  key_disabled: "Find out who called DisableKey (CloudTrail) and whether anything still relies on the key.",
  deletion_scheduled: "Find out who called ScheduleKeyDeletion (CloudTrail); it can be cancelled until the deletion date.",
};

export function driftKindLabel(kind: string): string {
  return (DRIFT_KIND_LABELS as Record<string, string>)[kind] ?? kind;
}

/** What KMS showed, in one line, from a finding's details (as recorded with it). */
export function driftDetail(kind: string, details: Record<string, string | null>): string {
  const day = (value: string | null | undefined) => (value ? `${value.slice(0, 16).replace("T", " ")} UTC` : "never");
  switch (kind) {
    case "valid_to_changed":
      return `Keyport set the material to expire ${day(details.expectedValidTo)}; KMS now says ${day(details.validTo)}.`;
    case "key_disabled":
    case "deletion_scheduled":
      return `The key was ${details.previousState ?? "in another state"} and is now ${details.keyState ?? "changed"}.`;
    case "material_deleted":
      return details.listed ? `KMS lists the material as ${details.listed}.` : `The key is back in ${details.keyState ?? "PendingImport"}.`;
    case "material_not_imported":
      return details.state ? `KMS lists it as ${details.state}, expiring ${day(details.validTo)}.` : `The key is ${details.keyState ?? "holding material"}, its material expiring ${day(details.validTo)}.`;
    default:
      return "";
  }
}
