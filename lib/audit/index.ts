import "server-only";

/**
 * The audit trail: append-only, hash-chained events (see canonical.ts for the exact hash), verification,
 * listing and export. The only module that reads or writes `audit_events`.
 */
export { appendAudit, appendAuditStandalone, MAX_DETAILS_BYTES } from "./append";
export { GENESIS_HASH, canonicalContent, canonicalJson, computeEventHash } from "./canonical";
export {
  AUDIT_ACTIONS,
  SYSTEM_ACTOR,
  isAuditAction,
  type AuditAction,
  type AuditActor,
  type AuditBreak,
  type AuditBreakReason,
  type AuditEvent,
  type AuditEventInput,
  type AuditFilter,
  type AuditUserActor,
  type AuditVerification,
  type JsonObject,
  type JsonValue,
  type VerificationBreakReason,
} from "./events";
export { DEFAULT_MAX_BREAKS, type TrailVerifyOptions } from "./chain";
export {
  CHECKPOINT_ACTION,
  checkpointSignatureValid,
  parseCheckpoint,
  publicKeyFingerprint,
  publicKeyFrom,
  statementBytes,
  statementHash,
  type CheckpointBreakReason,
  type CheckpointStatement,
  type SignedCheckpoint,
} from "./checkpoint-format";
export { AUDIT_EXPORT_CONTENT_TYPE, exportAudit, exportAuditStream, type AuditExportOptions } from "./export";
export { parseAuditExport, verifyExport, type AuditExportFormat, type ExportVerification, type MalformedBreak } from "./export-format";
export { auditHead, latestEventsPerRequest, listAuditEvents, standingEventsPerKey, type AuditPage, type AuditPageResult, type LatestPerRequest } from "./queries";
export { verifyAudit, type VerifyOptions } from "./verify";
