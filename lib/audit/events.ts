import type { CheckpointBreakReason } from "./checkpoint-format";

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
  "import.session_verified",
  "import.cancelled",
  "import.expired",
  "import.retried",
  "import.pending_exported",
  "material.deletion_requested",
  "material.deleted",
  "material.rotated",
  "material.break_glass",
  "inventory.refresh_failed",
  "schedule.set",
  "schedule.cleared",
  "schedule.rotation_due",
  "inventory.key_age_exported",
  "drift.found",
  "drift.acknowledged",
  "audit.verified",
  "audit.exported",
  "audit.checkpoint",
  "notification.failed",
  "notification.gave_up",
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

/** Why an event breaks the chain or a checkpoint (checkpoint-format.ts). */
export type VerificationBreakReason = AuditBreakReason | CheckpointBreakReason;

/**
 * One broken rule at one event. An event can break two (its link and its own hash). `id` is null where the
 * event is missing: the latest checkpoint kept outside the database states an event past the chain's end.
 */
export type AuditBreak = { seq: number; id: string | null; reason: VerificationBreakReason };

/** What a walk of the whole chain found (verifyAudit; verifyExport adds malformed records). */
export type AuditVerification<Break = AuditBreak> = {
  ok: boolean;
  /** Events read. */
  count: number;
  /** The last event read and its stored hash (GENESIS_HASH for an empty chain). */
  lastSeq: number;
  lastHash: string;
  /** Checkpoints in the chain that hold (signature, head and link to the previous one). */
  checkpoints: number;
  /** The head seq the last holding checkpoint states: events after it are covered by the chain alone. */
  lastCheckpointSeq: number | null;
  /** False when no public key was given: checkpoints were checked for heads and links only. */
  signaturesChecked: boolean;
  /** Whether a checkpoint kept outside the database was checked against the chain's end. */
  externalChecked: boolean;
  /** The first `maxBreaks`, in the order found. */
  breaks: Break[];
  /** All breaks found, even past `maxBreaks`. */
  breakCount: number;
  truncatedBreaks: boolean;
};

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
