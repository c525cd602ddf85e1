import type { KeyObject } from "node:crypto";
import { canonicalJson, computeEventHash } from "./canonical";
import { CHECKPOINT_ACTION, checkpointSignatureValid, parseCheckpoint, type SignedCheckpoint } from "./checkpoint-format";
import type { AuditEvent, JsonValue } from "./events";
import { eventFromExportObject, MalformedExportError } from "./export-format";

/**
 * The evidence record of one request: everything an auditor attaches to a change ticket, in one JSON file
 * that checks out with no database and no network (`npm run -s audit:verify -- --evidence <file>`).
 *
 * It carries the stretch of the audit chain from the request's first event up to the first signed checkpoint
 * after its last one (`events`, each as the JSON Lines export writes it), and a summary (`steps`) derived
 * from those events. Verifying it recomputes every event's hash and link, checks that every event of the
 * request in that stretch is summarised and that the summary says what the events say, and checks the
 * checkpoint's signature and that its head is the stretch's. So the summary cannot say more than the chain,
 * and the chain is anchored to a head signed by a key the database cannot reach.
 */

export const EVIDENCE_FORMAT = "keyport-evidence";
export const EVIDENCE_VERSION = 1;
/** The longest stretch an evidence record carries: a request open for months under a busy trail is cut here. */
export const MAX_EVIDENCE_EVENTS = 20_000;

/** One step of the request, as its audit event records it. */
export type EvidenceStep = {
  seq: number;
  at: string;
  action: string;
  /** Who: the person (subject, name, roles) or Keyport itself. */
  actor: { kind: string; subject: string; name: string | null; roles: string[] };
  /** The STS session name the person's KMS call carried, where there was one. */
  sessionName: string | null;
  kmsRequestId: string | null;
  details: { [key: string]: JsonValue };
};

export type EvidenceRecord = {
  format: typeof EVIDENCE_FORMAT;
  v: typeof EVIDENCE_VERSION;
  generatedAt: string;
  generatedBy: { subject: string; name: string | null };
  request: {
    id: string;
    kind: string;
    state: string;
    targetId: string;
    region: string;
    keyArn: string;
    keySpec: string;
    wrappingAlgorithm: string | null;
    wrappingKeySpec: string | null;
    importType: string | null;
    expirationModel: string | null;
    validTo: string | null;
    justification: string;
    requestedBy: { subject: string; name: string | null; email: string | null };
    createdAt: string;
    closedAt: string | null;
    keyMaterialId: string | null;
  };
  /** Seq of the request's first and last events. */
  range: { first: number; last: number };
  steps: EvidenceStep[];
  /** The chain from `range.first` to the checkpoint event after `range.last` (or to the head when none yet). */
  events: Array<{ [key: string]: JsonValue }>;
  /** The signed checkpoints around the request: the latest before its first event, the first after its last. */
  checkpoints: { before: { seq: number; checkpoint: SignedCheckpoint } | null; after: { seq: number; checkpoint: SignedCheckpoint } | null };
};

/** The request's steps, derived from its events (the summary verification recomputes). */
export function stepsOf(events: AuditEvent[], requestId: string): EvidenceStep[] {
  return events
    .filter((e) => e.requestId === requestId)
    .map((e) => ({
      seq: e.seq,
      at: e.at.toISOString(),
      action: e.action,
      actor: { kind: e.actor.kind, subject: e.actor.subject, name: e.actor.name, roles: [...e.actor.roles] },
      sessionName: typeof e.details.sessionName === "string" ? e.details.sessionName : null,
      kmsRequestId: e.kmsRequestId,
      details: e.details,
    }));
}

export type EvidenceVerification = {
  ok: boolean;
  /** Whether a signed checkpoint after the request's last event anchors the stretch (and its signature was checked). */
  anchored: "signed" | "unsigned" | "none";
  events: number;
  problems: string[];
};

/**
 * Checks an evidence record offline. With `publicKey` (the pinned signing key's), the closing checkpoint's
 * signature is checked too; without it the record can only be `unsigned`-anchored.
 */
export function verifyEvidence(record: EvidenceRecord, publicKey: KeyObject | null): EvidenceVerification {
  const problems: string[] = [];
  if (record.format !== EVIDENCE_FORMAT || record.v !== EVIDENCE_VERSION) {
    return { ok: false, anchored: "none", events: 0, problems: [`not a Keyport evidence record (format ${String(record.format)} v${String(record.v)})`] };
  }
  let events: AuditEvent[];
  try {
    events = record.events.map((line, i) => eventFromExportObject(line, i + 1));
  } catch (error) {
    if (error instanceof MalformedExportError) return { ok: false, anchored: "none", events: 0, problems: [`events: ${error.message}`] };
    throw error;
  }
  // The stretch: contiguous, each hash recomputed, each linked to the one before.
  events.forEach((e, i) => {
    if (computeEventHash(e.prevHash, e) !== e.hash) problems.push(`seq ${e.seq}: its content does not match its hash`);
    const before = events[i - 1];
    if (before && e.seq !== before.seq + 1) problems.push(`seq ${e.seq}: follows seq ${before.seq}; events are missing`);
    else if (before && e.prevHash !== before.hash) problems.push(`seq ${e.seq}: does not link to seq ${before.seq}`);
  });
  if (events[0]?.seq !== record.range.first) problems.push(`the stretch starts at seq ${events[0]?.seq ?? "none"}, not at the request's first event (${record.range.first})`);
  // The summary says what the events say, no more and no less.
  // Compared canonically: the database and the file may order an object's members differently.
  if (canonicalJson(stepsOf(events, record.request.id)) !== canonicalJson(record.steps)) problems.push("the steps do not match the request's events in the chain");
  const own = events.filter((e) => e.requestId === record.request.id);
  if (own.at(-1)?.seq !== record.range.last) problems.push(`the request's last event in the stretch is not seq ${record.range.last}`);
  problems.push(...requestProblems(record, own));

  let anchored: EvidenceVerification["anchored"] = "none";
  const after = record.checkpoints.after;
  if (after) {
    const event = events.find((e) => e.seq === after.seq);
    const parsed = event && event.action === CHECKPOINT_ACTION ? parseCheckpoint(event.details) : "missing";
    if (typeof parsed === "string") problems.push(`the closing checkpoint (seq ${after.seq}) is not in the stretch as a checkpoint event`);
    else {
      const head = events.find((e) => e.seq === parsed.statement.seq);
      if (parsed.statement.seq < record.range.last || head?.hash !== parsed.statement.headHash) {
        problems.push(`the closing checkpoint does not state the stretch's head at seq ${parsed.statement.seq}`);
      }
      if (canonicalJson(parsed) !== canonicalJson(after.checkpoint)) problems.push("the closing checkpoint differs from the one in the chain");
      if (publicKey) {
        if (checkpointSignatureValid(parsed, publicKey)) anchored = "signed";
        else problems.push(`the closing checkpoint's signature is not the signing key's`);
      } else anchored = "unsigned";
    }
  }
  return { ok: problems.length === 0, anchored, events: events.length, problems };
}

/**
 * The request section says what the chain says: who asked and why, for which key and wrapping, and the
 * KeyMaterialId the last import recorded. (Its state and dates are the database's, shown for reading.)
 */
function requestProblems(record: EvidenceRecord, own: AuditEvent[]): string[] {
  const problems: string[] = [];
  const { request } = record;
  const requested = own.find((e) => e.action === "import.requested" || e.action === "material.deletion_requested");
  if (!requested) return ["the stretch holds no event that opened the request"];
  const d = requested.details;
  const claims: Array<[string, unknown, unknown]> = [
    ["requested by", request.requestedBy.subject, requested.actor.subject],
    ["key", request.keyArn, requested.keyArn],
    ["justification", request.justification, d.justification],
  ];
  if (requested.action === "import.requested") {
    claims.push(["wrapping algorithm", request.wrappingAlgorithm, d.wrappingAlgorithm ?? null]);
    claims.push(["wrapping key spec", request.wrappingKeySpec, d.wrappingKeySpec ?? null]);
    claims.push(["import type", request.importType, d.importType ?? null]);
    claims.push(["expiration model", request.expirationModel, d.expirationModel ?? null]);
  }
  const imported = own.filter((e) => e.action === "import.imported" || e.action === "material.rotated").at(-1);
  if (imported) claims.push(["KeyMaterialId", request.keyMaterialId, imported.details.keyMaterialId ?? null]);
  for (const [what, said, recorded] of claims) {
    if (said !== recorded) problems.push(`the request's ${what} is not what its events record`);
  }
  if (own.some((e) => e.keyArn !== null && e.keyArn !== request.keyArn)) problems.push("an event of the request names another key");
  return problems;
}
