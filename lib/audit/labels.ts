import type { AuditAction, VerificationBreakReason } from "./events";

/** How each audit action reads to a person (pure: pages and exports' README share it). */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  "auth.sign_in": "Signed in",
  "auth.sign_out": "Signed out",
  "auth.access_denied": "Access denied",
  "auth.session_revoked": "Session ended by an admin",
  "import.requested": "Import requested",
  "import.parameters_issued": "Import parameters issued",
  "import.downloaded": "Parameters downloaded",
  "import.uploaded": "Wrapped material uploaded",
  "import.approved": "Import approved",
  "import.rejected": "Import rejected",
  "import.imported": "Key material imported",
  "import.failed": "Import failed",
  "import.verified": "Import verified",
  "import.session_verified": "Regions verified to hold the same material",
  "import.cancelled": "Import cancelled",
  "import.expired": "Import parameters expired",
  "import.retried": "Import retried",
  "import.pending_exported": "Pending imports exported",
  "material.deletion_requested": "Deletion of key material requested",
  "material.deleted": "Key material deleted",
  "material.rotated": "Key material rotated",
  "material.break_glass": "Key material deleted by break glass (no second person)",
  "inventory.refresh_failed": "Inventory refresh failed",
  "schedule.set": "Schedule set",
  "schedule.cleared": "Schedule cleared",
  "schedule.rotation_due": "Scheduled rotation due: draft opened",
  "inventory.key_age_exported": "Key-age report exported",
  "drift.found": "Change outside Keyport found",
  "drift.acknowledged": "Change outside Keyport acknowledged",
  "audit.verified": "Audit chain verified",
  "audit.exported": "Audit trail exported",
  "audit.checkpoint": "Audit checkpoint signed",
  "notification.failed": "Notification delivery failed",
  "notification.gave_up": "Notification given up",
};

export function auditActionLabel(action: string): string {
  return (AUDIT_ACTION_LABELS as Record<string, string>)[action] ?? action;
}

/** What each break means, in words: the /audit page and the offline `audit:verify` command say it so. */
export const AUDIT_BREAK_REASONS: Record<VerificationBreakReason | "malformed", string> = {
  hash_mismatch: "its content does not match its hash: the event was changed after it was written",
  prev_hash_mismatch: "it does not point at the event before it: an event was inserted, removed, reordered or rehashed",
  sequence_gap: "a sequence number is missing or out of order: an event was removed or moved",
  checkpoint_malformed: "this checkpoint is not a well-formed signed statement",
  checkpoint_signature_invalid: "this checkpoint's signature does not verify with the signing key: it was forged or altered",
  checkpoint_key_mismatch: "this checkpoint names another signing key than the one configured",
  checkpoint_head_mismatch: "the head hash a checkpoint signed does not match the chain: events up to that head were rewritten",
  checkpoint_previous_mismatch: "this checkpoint does not name the checkpoint before it: a checkpoint was removed or altered",
  checkpoint_beyond_chain: "the latest checkpoint kept outside the database states an event past the chain's end: events were cut from the end",
  malformed: "the export file is not one Keyport wrote",
};

export function auditBreakReasonText(reason: string): string {
  return (AUDIT_BREAK_REASONS as Record<string, string>)[reason] ?? reason;
}
