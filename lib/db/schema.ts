// No `import "server-only"` here: drizzle-kit loads this file in plain Node to generate migrations, and the
// file holds table definitions only (no connection, no secrets). Only lib/db/client.ts opens the database.
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { IMPORT_REQUEST_KINDS, IMPORT_REQUEST_STATES } from "./enums";

/**
 * Keyport's tables. Column names are snake_case in SQL and camelCase in TypeScript.
 * Times are `timestamptz` read as `Date`. Secrets (import tokens, wrapped key material) are stored only as
 * AES-256-GCM ciphertext made by lib/crypto `sealSecret`, with the AAD naming the row they belong to.
 */

/** `bytea` as a Node Buffer (both pg and PGlite hand back bytes; PGlite as a plain Uint8Array). */
export const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
  toDriver: (value) => value,
});

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

// ---------------------------------------------------------------------------------------------------------
// Key inventory (cache of ListKeys + DescribeKey + ListAliases per target and Region)
// ---------------------------------------------------------------------------------------------------------

/**
 * One row per KMS key ever listed in a target/Region. Non-EXTERNAL keys are kept too (origin set, little
 * else) so that they are never described again: origin, spec, usage, creation date and multi-Region never
 * change. Descriptive columns are null until the key is described.
 */
export const inventoryKeys = pgTable(
  "inventory_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    targetId: text("target_id").notNull(),
    region: text("region").notNull(),
    keyId: text("key_id").notNull(),
    arn: text("arn").notNull(),
    accountId: text("account_id").notNull(),
    /** AWS_KMS | EXTERNAL | AWS_CLOUDHSM | EXTERNAL_KEY_STORE; null until described. */
    origin: text("origin"),
    keySpec: text("key_spec"),
    keyUsage: text("key_usage"),
    /** Enabled | Disabled | PendingImport | PendingDeletion | ... as KMS reports it. */
    keyState: text("key_state"),
    enabled: boolean("enabled"),
    keyManager: text("key_manager"),
    description: text("description"),
    creationDate: tstz("creation_date"),
    validTo: tstz("valid_to"),
    /** KEY_MATERIAL_EXPIRES | KEY_MATERIAL_DOES_NOT_EXPIRE */
    expirationModel: text("expiration_model"),
    currentKeyMaterialId: text("current_key_material_id"),
    multiRegion: boolean("multi_region"),
    /** A multi-Region key's primary Region; its related keys share target and key id (mrk-…). */
    primaryRegion: text("primary_region"),
    deletionDate: tstz("deletion_date"),
    /** Alias names (alias/...) joined from ListAliases at the last refresh. */
    aliases: text("aliases").array().notNull().default(sql`'{}'::text[]`),
    lastDescribedAt: tstz("last_described_at"),
    firstSeenAt: tstz("first_seen_at").notNull(),
    /** Last refresh whose ListKeys still returned the key; older than the last success means it is gone. */
    lastSeenAt: tstz("last_seen_at").notNull(),
  },
  (t) => [
    uniqueIndex("inventory_keys_target_region_key_uq").on(t.targetId, t.region, t.keyId),
    index("inventory_keys_target_region_state_idx").on(t.targetId, t.region, t.keyState),
    index("inventory_keys_origin_state_idx").on(t.origin, t.keyState),
    index("inventory_keys_valid_to_idx").on(t.validTo),
    index("inventory_keys_arn_idx").on(t.arn),
    // A multi-Region key's related keys: same target, same key id, one row per Region.
    index("inventory_keys_target_key_idx").on(t.targetId, t.keyId),
  ],
);

export const inventoryRefreshStatus = pgEnum("inventory_refresh_status", ["idle", "running", "succeeded", "failed"]);

/**
 * Refresh bookkeeping per target and Region. The lease (lease_owner, lease_until) is taken with a conditional
 * UPDATE (`... WHERE lease_until IS NULL OR lease_until < now`) so two app instances never refresh the same
 * target/Region at once; a crashed holder's lease simply runs out.
 */
export const inventoryRefreshes = pgTable(
  "inventory_refreshes",
  {
    targetId: text("target_id").notNull(),
    region: text("region").notNull(),
    status: inventoryRefreshStatus("status").notNull().default("idle"),
    startedAt: tstz("started_at"),
    finishedAt: tstz("finished_at"),
    lastSuccessAt: tstz("last_success_at"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    keysListed: integer("keys_listed").notNull().default(0),
    keysToDescribe: integer("keys_to_describe").notNull().default(0),
    keysDescribed: integer("keys_described").notNull().default(0),
    externalKeys: integer("external_keys").notNull().default(0),
    leaseOwner: text("lease_owner"),
    leaseUntil: tstz("lease_until"),
    updatedAt: tstz("updated_at").notNull(),
  },
  (t) => [primaryKey({ name: "inventory_refreshes_pk", columns: [t.targetId, t.region] })],
);

// ---------------------------------------------------------------------------------------------------------
// Import workflow
// ---------------------------------------------------------------------------------------------------------

export const importRequestKind = pgEnum("import_request_kind", IMPORT_REQUEST_KINDS);

/** The import request states (lib/db/enums.ts; lib/imports/README.md, "States"). Transitions are enforced by lib/imports, not here. */
export const importRequestState = pgEnum("import_request_state", IMPORT_REQUEST_STATES);

export const importRequests = pgTable(
  "import_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: importRequestKind("kind").notNull(),
    targetId: text("target_id").notNull(),
    region: text("region").notNull(),
    keyArn: text("key_arn").notNull(),
    keyId: text("key_id").notNull(),
    keySpec: text("key_spec").notNull(),
    state: importRequestState("state").notNull().default("draft"),
    /** e.g. RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_256, SM2PKE; null for delete_material. */
    wrappingAlgorithm: text("wrapping_algorithm"),
    /** RSA_2048 | RSA_3072 | RSA_4096 | SM2; null for delete_material. */
    wrappingKeySpec: text("wrapping_key_spec"),
    /** NEW_KEY_MATERIAL | EXISTING_KEY_MATERIAL (symmetric keys); null otherwise. */
    importType: text("import_type"),
    expirationModel: text("expiration_model"),
    validTo: tstz("valid_to"),
    justification: text("justification").notNull(),
    requestedBySubject: text("requested_by_subject").notNull(),
    requestedByName: text("requested_by_name"),
    requestedByEmail: text("requested_by_email"),
    createdAt: tstz("created_at").notNull(),
    updatedAt: tstz("updated_at").notNull(),
    /** Set when the request reaches a final state (imported, rejected, cancelled, or closed after failure). */
    closedAt: tstz("closed_at"),
    keyMaterialId: text("key_material_id"),
    kmsRequestId: text("kms_request_id"),
    lastErrorCode: text("last_error_code"),
    lastErrorMessage: text("last_error_message"),
    /** Optimistic concurrency: every state change is `UPDATE ... SET version = version + 1 WHERE version = $seen`. */
    version: integer("version").notNull().default(1),
    /**
     * A multi-Region import session: the requests for one multi-Region key's Regions, started together and
     * decided once. Null for a request of its own.
     */
    sessionId: uuid("session_id"),
  },
  (t) => [
    index("import_requests_state_updated_idx").on(t.state, t.updatedAt),
    index("import_requests_key_idx").on(t.targetId, t.region, t.keyId),
    index("import_requests_key_arn_idx").on(t.keyArn),
    index("import_requests_requested_by_idx").on(t.requestedBySubject, t.createdAt),
    index("import_requests_session_idx").on(t.sessionId),
  ],
);

/**
 * Import parameters from GetParametersForImport. The wrapping public key is public (stored as DER); the
 * import token is sealed with AAD `parameter_set.import_token:<id>`. Reissuing sets `superseded_at` on the
 * old set; at most one set per request is current.
 */
export const parameterSets = pgTable(
  "parameter_sets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    requestId: uuid("request_id")
      .notNull()
      .references(() => importRequests.id, { onDelete: "restrict" }),
    wrappingAlgorithm: text("wrapping_algorithm").notNull(),
    wrappingKeySpec: text("wrapping_key_spec").notNull(),
    publicKey: bytea("public_key").notNull(),
    publicKeySha256: text("public_key_sha256").notNull(),
    importTokenCiphertext: bytea("import_token_ciphertext").notNull(),
    importTokenSha256: text("import_token_sha256").notNull(),
    parametersValidTo: tstz("parameters_valid_to").notNull(),
    kmsRequestId: text("kms_request_id"),
    issuedBySubject: text("issued_by_subject").notNull(),
    issuedByName: text("issued_by_name"),
    issuedAt: tstz("issued_at").notNull(),
    supersededAt: tstz("superseded_at"),
  },
  (t) => [
    index("parameter_sets_request_idx").on(t.requestId, t.issuedAt),
    uniqueIndex("parameter_sets_one_current_per_request_uq").on(t.requestId).where(sql`${t.supersededAt} IS NULL`),
    index("parameter_sets_valid_to_idx").on(t.parametersValidTo),
  ],
);

/**
 * The custodian's EncryptedKeyMaterial.bin, sealed with AAD `wrapped_blob.ciphertext:<id>`. `sha256` and
 * `size` describe the uploaded (wrapped) bytes, not the at-rest ciphertext. A blob belongs to the parameter
 * set whose public key wrapped it; a new upload supersedes the previous one.
 */
export const wrappedBlobs = pgTable(
  "wrapped_blobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    requestId: uuid("request_id")
      .notNull()
      .references(() => importRequests.id, { onDelete: "restrict" }),
    parameterSetId: uuid("parameter_set_id")
      .notNull()
      .references(() => parameterSets.id, { onDelete: "restrict" }),
    ciphertext: bytea("ciphertext").notNull(),
    sha256: text("sha256").notNull(),
    size: integer("size").notNull(),
    uploadedBySubject: text("uploaded_by_subject").notNull(),
    uploadedByName: text("uploaded_by_name"),
    uploadedAt: tstz("uploaded_at").notNull(),
    supersededAt: tstz("superseded_at"),
  },
  (t) => [
    index("wrapped_blobs_request_idx").on(t.requestId, t.uploadedAt),
    uniqueIndex("wrapped_blobs_one_current_per_request_uq").on(t.requestId).where(sql`${t.supersededAt} IS NULL`),
  ],
);

export const approvalDecision = pgEnum("approval_decision", ["approve", "reject"]);

/**
 * One decision per approver per request — per uploaded blob when there is one: after a token expires and a
 * new blob is uploaded, earlier approvals (bound to the old blob) no longer count and the same approver may
 * decide again. delete_material requests have no blob (wrapped_blob_id null).
 */
export const approvals = pgTable(
  "approvals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    requestId: uuid("request_id")
      .notNull()
      .references(() => importRequests.id, { onDelete: "restrict" }),
    wrappedBlobId: uuid("wrapped_blob_id").references(() => wrappedBlobs.id, { onDelete: "restrict" }),
    approverSubject: text("approver_subject").notNull(),
    approverName: text("approver_name"),
    decision: approvalDecision("decision").notNull(),
    comment: text("comment"),
    createdAt: tstz("created_at").notNull(),
  },
  (t) => [
    // COALESCE rather than NULLS NOT DISTINCT, which needs PostgreSQL 15+.
    uniqueIndex("approvals_request_approver_blob_uq").on(
      t.requestId,
      t.approverSubject,
      sql`COALESCE(${t.wrappedBlobId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
    ),
  ],
);

// ---------------------------------------------------------------------------------------------------------
// Audit trail (append-only; see lib/audit for the hash chain and migration 0001 for the triggers)
// ---------------------------------------------------------------------------------------------------------

export const auditActorKind = pgEnum("audit_actor_kind", ["user", "system"]);

export const auditEvents = pgTable(
  "audit_events",
  {
    /** 1, 2, 3, ... without gaps: assigned as last + 1 under the audit advisory lock, not by a sequence. */
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    id: uuid("id").notNull(),
    at: tstz("at").notNull(),
    action: text("action").notNull(),
    actorKind: auditActorKind("actor_kind").notNull(),
    actorSubject: text("actor_subject").notNull(),
    actorName: text("actor_name"),
    actorRoles: text("actor_roles").array().notNull(),
    targetId: text("target_id"),
    region: text("region"),
    keyArn: text("key_arn"),
    // text, not uuid: PostgreSQL would re-case a uuid and the hash covers the exact string.
    requestId: text("request_id"),
    kmsRequestId: text("kms_request_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    uniqueIndex("audit_events_id_uq").on(t.id),
    uniqueIndex("audit_events_hash_uq").on(t.hash),
    index("audit_events_at_idx").on(t.at),
    index("audit_events_action_seq_idx").on(t.action, t.seq),
    index("audit_events_request_seq_idx").on(t.requestId, t.seq),
    index("audit_events_key_arn_seq_idx").on(t.keyArn, t.seq),
    index("audit_events_target_region_seq_idx").on(t.targetId, t.region, t.seq),
    index("audit_events_actor_seq_idx").on(t.actorSubject, t.seq),
    check("audit_events_seq_positive_ck", sql`${t.seq} >= 1`),
    check("audit_events_hash_format_ck", sql`${t.hash} ~ '^[0-9a-f]{64}$' AND ${t.prevHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

// ---------------------------------------------------------------------------------------------------------
// Settings shared by every app instance
// ---------------------------------------------------------------------------------------------------------

/**
 * Small process-wide values that every app instance must agree on, one row per key. Today only the demo
 * clock's offset (`demo_clock_offset_ms`, lib/clock/demo.ts): in memory alone it would differ between
 * instances and be lost at a restart.
 */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").$type<unknown>().notNull(),
  updatedAt: tstz("updated_at").notNull(),
  updatedBy: text("updated_by"),
});

// ---------------------------------------------------------------------------------------------------------
// Sessions (server-side records of next-auth's JWT sessions, so that one can be ended before it expires)
// ---------------------------------------------------------------------------------------------------------

/**
 * One row per sign-in, keyed by the random id the session's JWT carries (`sid`). A token is a session only
 * while its row exists and is not revoked (lib/auth/session-record.ts): signing out, or an admin ending the
 * session, revokes the row, so a copy of the cookie stops working at once instead of at its expiry.
 */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    subject: text("subject").notNull(),
    name: text("name").notNull(),
    email: text("email"),
    roles: text("roles").array().notNull(),
    provider: text("provider"),
    createdAt: tstz("created_at").notNull(),
    /** Refreshed at most once a minute, so that checking a session stays one primary-key read. */
    lastSeenAt: tstz("last_seen_at").notNull(),
    expiresAt: tstz("expires_at").notNull(),
    revokedAt: tstz("revoked_at"),
    /** The subject who ended it (the person themselves on sign-out, or an admin). */
    revokedBy: text("revoked_by"),
  },
  (t) => [index("sessions_expires_at_idx").on(t.expiresAt)],
);

// ---------------------------------------------------------------------------------------------------------
// Notifications outbox (lib/notify): written in the same transaction as the event that causes it
// ---------------------------------------------------------------------------------------------------------

export const notificationStatus = pgEnum("notification_status", ["pending", "delivered", "gave_up"]);

/**
 * One row per message for the webhook. The cause writes it in its own transaction, so a message exists if and
 * only if its cause committed; one instance at a time sends (lib/notify). `dedupe_key` makes enqueueing
 * idempotent ("once a day per key", "once per finding"). `fields` never holds a token, blob or key material.
 */
export const notificationOutbox = pgTable(
  "notification_outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    summary: text("summary").notNull(),
    keyArn: text("key_arn"),
    targetId: text("target_id"),
    region: text("region"),
    requestId: text("request_id"),
    path: text("path"),
    fields: jsonb("fields").$type<Record<string, string | number>>().notNull(),
    createdAt: tstz("created_at").notNull(),
    status: notificationStatus("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull(),
    lastError: text("last_error"),
    deliveredAt: tstz("delivered_at"),
  },
  (t) => [
    uniqueIndex("notification_outbox_dedupe_uq").on(t.dedupeKey),
    index("notification_outbox_due_idx").on(t.status, t.nextAttemptAt),
  ],
);

// ---------------------------------------------------------------------------------------------------------
// Schedules (lib/schedules): reimport and rotation policies per key or per target, and the rotation pass
// ---------------------------------------------------------------------------------------------------------

export const schedulePolicyScope = pgEnum("schedule_policy_scope", ["target", "key"]);

/**
 * A schedule policy: reimport N days before ValidTo, and/or new material every N days (symmetric keys). One
 * row per target (`target:<id>`) or key (`key:<target>/<region>/<keyId>`); a key's own row replaces its
 * target's. A policy with neither part is deleted, not stored.
 */
export const schedulePolicies = pgTable(
  "schedule_policies",
  {
    id: text("id").primaryKey(),
    scope: schedulePolicyScope("scope").notNull(),
    targetId: text("target_id").notNull(),
    /** Null for a target's policy. */
    region: text("region"),
    keyId: text("key_id"),
    reimportDaysBefore: integer("reimport_days_before"),
    rotateEveryDays: integer("rotate_every_days"),
    updatedAt: tstz("updated_at").notNull(),
    updatedBySubject: text("updated_by_subject").notNull(),
    updatedByName: text("updated_by_name"),
  },
  (t) => [
    index("schedule_policies_target_idx").on(t.targetId),
    check("schedule_policies_some_part_ck", sql`${t.reimportDaysBefore} IS NOT NULL OR ${t.rotateEveryDays} IS NOT NULL`),
  ],
);

/**
 * What the schedules page counts, one row per EXTERNAL key a schedule governs: when its reimport falls due and
 * where its scheduled rotation stands, worked out from the inventory, the material summaries, Keyport's own
 * imports and the governing policy (lib/schedules/facts.ts). Only the comparison with the clock is left to the
 * read, so counting an estate is a range scan of this narrow table, not a join over every key. Rewritten for a
 * Region at the end of its refresh, for a key when Keyport re-reads it or imports into it, and for an account
 * or key when its policy changes.
 */
export const scheduleFacts = pgTable(
  "schedule_facts",
  {
    targetId: text("target_id").notNull(),
    region: text("region").notNull(),
    keyId: text("key_id").notNull(),
    /** Whose policy governs: the key's own ('key') or its account's ('target'). */
    policySource: text("policy_source").notNull(),
    /** ValidTo less the policy's days; null when no reimport schedule applies (no expiry, no such part). */
    reimportDueAt: tstz("reimport_due_at"),
    reimportDaysBefore: integer("reimport_days_before"),
    /** blocked | unread | limit_reached | timed (due or scheduled, by `rotate_at`); null when it does not rotate. */
    rotation: text("rotation"),
    rotateAt: tstz("rotate_at"),
    rotateEveryDays: integer("rotate_every_days"),
  },
  (t) => [
    primaryKey({ name: "schedule_facts_pk", columns: [t.targetId, t.region, t.keyId] }),
    // Each due list is one range of this index, read in the list's order.
    index("schedule_facts_reimport_idx").on(t.reimportDueAt, t.targetId, t.region, t.keyId).where(sql`${t.reimportDueAt} IS NOT NULL`),
  ],
);

/**
 * One row per key and due period (`basis`: the key material, or the rotation, the period counts from): the
 * rotation pass inserts it in the transaction that opens the draft, so a period opens at most one draft
 * however many passes or instances see it due, and a draft someone cancelled is not opened again.
 */
export const scheduleRotationsDue = pgTable(
  "schedule_rotations_due",
  {
    targetId: text("target_id").notNull(),
    region: text("region").notNull(),
    keyId: text("key_id").notNull(),
    basis: text("basis").notNull(),
    requestId: uuid("request_id").notNull(),
    openedAt: tstz("opened_at").notNull(),
  },
  (t) => [primaryKey({ name: "schedule_rotations_due_pk", columns: [t.targetId, t.region, t.keyId, t.basis] })],
);

// ---------------------------------------------------------------------------------------------------------
// Leases (lib/db/leases.ts): background work that one instance at a time may do
// ---------------------------------------------------------------------------------------------------------

/**
 * One row per kind of background work (`notification_sender`, `rotation_pass`). Taken with a conditional
 * upsert (lib/db/leases.ts), so of two instances trying at once one wins; a crashed holder's lease runs out.
 */
export const leases = pgTable("leases", {
  name: text("name").primaryKey(),
  owner: text("owner").notNull(),
  until: tstz("until").notNull(),
});

// ---------------------------------------------------------------------------------------------------------
// Key material summaries (lib/inventory): what ListKeyRotations said, read at refresh for the key-age report
// ---------------------------------------------------------------------------------------------------------

/**
 * Per EXTERNAL symmetric key, what its material history said when its current material was last read: when
 * that material became current (a rotation's date; KMS dates no first material) and how many on-demand
 * rotations the key has had (KMS allows 10 for imported material). Read again only when DescribeKey reports
 * another CurrentKeyMaterialId, so the report never calls KMS per key on page load and a refresh rarely does.
 */
export const inventoryMaterialSummaries = pgTable(
  "inventory_material_summaries",
  {
    targetId: text("target_id").notNull(),
    region: text("region").notNull(),
    keyId: text("key_id").notNull(),
    /** The CurrentKeyMaterialId this summary describes. */
    keyMaterialId: text("key_material_id").notNull(),
    currentSince: tstz("current_since"),
    onDemandRotations: integer("on_demand_rotations").notNull(),
    readAt: tstz("read_at").notNull(),
  },
  (t) => [uniqueIndex("inventory_material_summaries_key_uq").on(t.targetId, t.region, t.keyId)],
);

// ---------------------------------------------------------------------------------------------------------
// Drift (lib/drift): what KMS shows that Keyport's trail does not explain
// ---------------------------------------------------------------------------------------------------------

/**
 * What Keyport last saw of each EXTERNAL key, for the drift check. `baseline` is the material Keyport found
 * on the key the first time it checked it and adopted without a finding (none for a key under its control:
 * see lib/drift/README.md); `last_state` and `observed_at` are the key state last seen and since when, so a
 * change of state is noticed once.
 */
export const driftWatch = pgTable(
  "drift_watch",
  {
    targetId: text("target_id").notNull(),
    region: text("region").notNull(),
    keyId: text("key_id").notNull(),
    baseline: jsonb("baseline").$type<Array<{ id: string | null; validTo: string | null }>>().notNull(),
    lastState: text("last_state").notNull(),
    observedAt: tstz("observed_at").notNull(),
    establishedAt: tstz("established_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.targetId, t.region, t.keyId] })],
);

/**
 * One row per change made in KMS outside Keyport. `fingerprint` names the change (a KeyMaterialId, the
 * observation it broke), so the unique index records it once however many refreshes see it. An auditor or
 * admin acknowledges it with a comment; it is never deleted.
 */
export const driftFindings = pgTable(
  "drift_findings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    targetId: text("target_id").notNull(),
    region: text("region").notNull(),
    keyId: text("key_id").notNull(),
    keyArn: text("key_arn").notNull(),
    kind: text("kind").notNull(),
    fingerprint: text("fingerprint").notNull(),
    keyMaterialId: text("key_material_id"),
    details: jsonb("details").$type<Record<string, string | null>>().notNull(),
    foundAt: tstz("found_at").notNull(),
    acknowledgedAt: tstz("acknowledged_at"),
    acknowledgedBySubject: text("acknowledged_by_subject"),
    acknowledgedByName: text("acknowledged_by_name"),
    acknowledgementComment: text("acknowledgement_comment"),
  },
  (t) => [
    uniqueIndex("drift_findings_key_kind_fingerprint_uq").on(t.targetId, t.region, t.keyId, t.kind, t.fingerprint),
    index("drift_findings_open_idx").on(t.acknowledgedAt, t.foundAt),
    index("drift_findings_key_idx").on(t.targetId, t.region, t.keyId, t.foundAt),
  ],
);
