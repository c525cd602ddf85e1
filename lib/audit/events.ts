/**
 * What an audit event is. Pure types and constants (no database), shared by the append, query, verify and
 * export modules and by the domains that record events.
 */

/** Every action Keyport records. Stored as text, so adding one needs no migration — only a new entry here. */
export const AUDIT_ACTIONS = [
  "auth.sign_in",
  "auth.sign_out",
  "auth.access_denied",
  "auth.session_revoked",
  "import.requested",
  "import.parameters_issued",
  "import.downloaded",
  "import.uploaded",
  "import.approved",
  "import.rejected",
  "import.imported",
  "import.failed",
  "import.verified",
  "import.cancelled",
  "import.expired",
  "import.retried",
  "import.pending_exported",
  "material.deletion_requested",
  "material.deleted",
  "material.rotated",
  "inventory.refresh_failed",
  "audit.verified",
  "audit.exported",
  "audit.checkpoint",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isAuditAction(value: string): value is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(value);
}

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
/** A JSON object. `undefined` members are allowed on input and dropped (as JSON.stringify does). */
export type JsonObject = { [key: string]: JsonValue | undefined };

/** A signed-in person as the audit trail records them. */
export type AuditUserActor = { subject: string; name?: string | null; roles: readonly string[] };

/** Keyport itself (background refresh, expiry sweeps). */
export const SYSTEM_ACTOR = "system" as const;

export type AuditEventInput = {
  action: AuditAction;
  actor: AuditUserActor | typeof SYSTEM_ACTOR;
  /** Defaults to lib/clock now(). Stored with millisecond precision. */
  at?: Date;
  targetId?: string | null;
  region?: string | null;
  keyArn?: string | null;
  requestId?: string | null;
  kmsRequestId?: string | null;
  /** Anything else worth keeping (hashes, wrapping choice, error code...). Never secrets. */
  details?: JsonObject;
};

export type AuditActor = {
  kind: "user" | "system";
  subject: string;
  name: string | null;
  roles: string[];
};

/** An event as stored. `action` is a string: the trail may hold actions this build no longer knows. */
export type AuditEvent = {
  seq: number;
  id: string;
  at: Date;
  action: string;
  actor: AuditActor;
  targetId: string | null;
  region: string | null;
  keyArn: string | null;
  requestId: string | null;
  kmsRequestId: string | null;
  details: { [key: string]: JsonValue };
  prevHash: string;
  hash: string;
};

/** Why a chain is broken at an event. */
export type AuditBreakReason = "hash_mismatch" | "prev_hash_mismatch" | "sequence_gap";

export type AuditVerification =
  | { ok: true; count: number; lastSeq: number; lastHash: string }
  | { ok: false; count: number; brokenAt: { seq: number; id: string; reason: AuditBreakReason } };

/** Which events to list or export. `from` is inclusive, `to` exclusive. */
export type AuditFilter = {
  from?: Date;
  to?: Date;
  action?: AuditAction | readonly AuditAction[];
  requestId?: string;
  /** The start of a request id, as the screens show it shortened ("82ca661b"). */
  requestIdPrefix?: string;
  targetId?: string;
  region?: string;
  keyArn?: string;
  actorSubject?: string;
  /** Events about one of these key ARNs (none: no event), or about a key whose id starts so. */
  key?: { arns: readonly string[] } | { idPrefix: string };
  /** Events by a person named by their id, their e-mail (as a sign-in recorded it) or part of their name. */
  person?: string;
};
