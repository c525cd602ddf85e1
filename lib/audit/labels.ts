import type { AuditAction } from "./events";

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
  "import.cancelled": "Import cancelled",
  "import.expired": "Import parameters expired",
  "import.retried": "Import retried",
  "import.pending_exported": "Pending imports exported",
  "material.deletion_requested": "Deletion of key material requested",
  "material.deleted": "Key material deleted",
  "material.rotated": "Key material rotated",
  "inventory.refresh_failed": "Inventory refresh failed",
  "audit.verified": "Audit chain verified",
  "audit.exported": "Audit trail exported",
  "audit.checkpoint": "Audit checkpoint signed",
};

export function auditActionLabel(action: string): string {
  return (AUDIT_ACTION_LABELS as Record<string, string>)[action] ?? action;
}
