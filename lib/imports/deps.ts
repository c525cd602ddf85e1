import "server-only";
import type { DataKeys } from "@/lib/crypto";
import type { Db } from "@/lib/db";
import type { KmsAccess } from "@/lib/kms";
import type { KeyRow } from "@/lib/inventory";
import { KEYPORT_SUBJECT } from "./permissions";

/**
 * Everything the workflow needs from outside, through one seam: production passes the process-wide
 * database, KMS access, Keyport's clock and configuration (lib/imports/index.ts `importDeps()`); the
 * integration tests pass a fresh database, the emulator and a clock they control.
 */
export type ImportDeps = {
  db: Db;
  kms: Pick<KmsAccess, "kms">;
  now: () => Date;
  /** How many approvals, from people who neither requested nor uploaded, an import needs. */
  approvalsRequired: number;
  /** How long in `importing` before the sweep treats a request as interrupted (default INTERRUPTED_AFTER_MS). */
  interruptedAfterMs?: number;
  /** Whether break glass (deleting material with no second person) is turned on: KEYPORT_BREAK_GLASS. */
  breakGlass?: boolean;
  /** AES-256-GCM key for import tokens and wrapped blobs at rest (seals), with earlier keys (read only). */
  dataKey: DataKeys;
  inventory: {
    /** The cached EXTERNAL key, or null. */
    getKey(targetId: string, region: string, keyId: string): Promise<KeyRow | null>;
    /** Re-reads the key from KMS into the cache after its material changed. */
    refreshKey(targetId: string, region: string, keyId: string): Promise<unknown>;
  };
  /**
   * Awaited inside a decision's transaction right after the request row is locked. Production leaves it unset;
   * the race tests hold one approver's transaction here until another has tried to take the same lock, because
   * nothing else makes two transactions overlap reliably.
   */
  afterRequestLocked?: (requestId: string) => Promise<void>;
};

/** Who is acting: the signed-in person, as the audit trail and CloudTrail (session name) record them. */
export type Actor = { subject: string; name: string | null; email: string | null; roles: readonly string[] };

/**
 * Keyport itself, as the requester of a draft it opens on a schedule (lib/schedules). It never calls KMS as
 * this actor: a custodian obtains the draft's parameters as themselves. The trail records it as the system.
 */
export const KEYPORT_ACTOR: Actor = { subject: KEYPORT_SUBJECT, name: "Keyport", email: null, roles: [] };
