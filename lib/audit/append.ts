import "server-only";
import { randomUUID } from "node:crypto";
import { desc, sql } from "drizzle-orm";
import { now } from "@/lib/clock";
import type { Db, Tx } from "@/lib/db";
import { ADVISORY_LOCK } from "@/lib/db/locks";
import { auditEvents } from "@/lib/db/schema";
import { GENESIS_HASH, canonicalJson, computeEventHash } from "./canonical";
import { SYSTEM_ACTOR, isAuditAction, type AuditActor, type AuditEvent, type AuditEventInput, type JsonValue } from "./events";
import { toAuditRow } from "./rows";

/** Canonical details larger than this are refused: the trail records facts, not payloads. */
export const MAX_DETAILS_BYTES = 64 * 1024;

const SYSTEM: AuditActor = { kind: "system", subject: "keyport", name: "Keyport", roles: [] };

function optionalText(name: string, value: string | null | undefined): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") throw new TypeError(`Audit field ${name} must be a string.`);
  return value;
}

/**
 * Validates and normalizes an event before it is hashed, so that what is hashed is exactly what is stored
 * and read back: empty optional strings become null, details are canonicalized (undefined members dropped).
 */
function prepare(input: AuditEventInput): Omit<AuditEvent, "seq" | "prevHash" | "hash"> {
  if (typeof input.action !== "string" || !isAuditAction(input.action)) {
    throw new TypeError(`Unknown audit action "${String(input.action)}"; add it to AUDIT_ACTIONS in lib/audit/events.ts.`);
  }
  let actor: AuditActor;
  if (input.actor === SYSTEM_ACTOR) {
    actor = SYSTEM;
  } else {
    const { subject, name, roles } = input.actor;
    if (typeof subject !== "string" || subject === "") throw new TypeError("An audit actor needs a subject.");
    if (!Array.isArray(roles) || roles.some((r) => typeof r !== "string")) throw new TypeError("Audit actor roles must be strings.");
    actor = { kind: "user", subject, name: optionalText("actor.name", name), roles: [...roles] };
  }
  const at = input.at ?? now();
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError("Audit event time must be a valid Date.");
  const detailsJson = canonicalJson(input.details ?? {});
  if (!detailsJson.startsWith("{")) throw new TypeError("Audit details must be a JSON object.");
  if (Buffer.byteLength(detailsJson, "utf8") > MAX_DETAILS_BYTES) {
    throw new RangeError(`Audit details are larger than ${MAX_DETAILS_BYTES} bytes.`);
  }
  return {
    id: randomUUID(),
    at: new Date(at.getTime()),
    action: input.action,
    actor,
    targetId: optionalText("targetId", input.targetId),
    region: optionalText("region", input.region),
    keyArn: optionalText("keyArn", input.keyArn),
    requestId: optionalText("requestId", input.requestId),
    kmsRequestId: optionalText("kmsRequestId", input.kmsRequestId),
    details: JSON.parse(detailsJson) as { [key: string]: JsonValue },
  };
}

/**
 * Appends an event to the hash chain, inside the caller's transaction — the one that makes the state change
 * the event records, so both commit or neither does.
 *
 * Appends are serialized by a transaction-level advisory lock: the next seq and prev_hash are read only once
 * the lock is held, and the lock is released at commit, so two appends can never link to the same
 * predecessor (and the primary key on seq would refuse it if they tried). Because the lock is held until the
 * caller's transaction ends, append last — after the row locks and KMS-free work — and keep the transaction
 * short. Use READ COMMITTED (the default): a REPEATABLE READ snapshot taken before the lock would not see
 * the previous append, and the insert would fail on the duplicate seq.
 *
 * seq is last + 1 (not a sequence), so a rolled-back transaction leaves no gap.
 *
 * Time and order: `seq` is the order of the trail, and `at` never decreases along it. An event's `at` is the
 * later of its own time (Keyport's clock, lib/clock) and the previous event's `at`, decided under the same
 * lock that assigns seq. So when the clock moves back (the demo clock reset, a corrected server clock), new
 * events are held at the previous event's time until the clock catches up, instead of appearing to happen
 * before events already recorded.
 */
export async function appendAudit(tx: Tx, input: AuditEventInput): Promise<AuditEvent> {
  return (await appendLocked(tx, input, undefined)) as AuditEvent;
}

/**
 * Appends `build(head)` only if the chain's head is still `expected` once the append lock is held, else
 * appends nothing and answers null: for an event that states the head it follows (a signed checkpoint),
 * whose content was prepared before the lock, outside any transaction.
 */
export async function appendAuditAfter(tx: Tx, expected: { seq: number; hash: string }, input: AuditEventInput): Promise<AuditEvent | null> {
  return appendLocked(tx, input, expected);
}

async function appendLocked(tx: Tx, input: AuditEventInput, expected: { seq: number; hash: string } | undefined): Promise<AuditEvent | null> {
  const event = prepare(input);
  await tx.execute(sql.raw(`select pg_advisory_xact_lock(${ADVISORY_LOCK.auditAppend})`));
  const [last] = await tx
    .select({ seq: auditEvents.seq, hash: auditEvents.hash, at: auditEvents.at })
    .from(auditEvents)
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  if (expected && ((last?.seq ?? 0) !== expected.seq || (last?.hash ?? GENESIS_HASH) !== expected.hash)) return null;
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  if (last && last.at.getTime() > event.at.getTime()) event.at = new Date(last.at.getTime());
  const hash = computeEventHash(prevHash, { ...event, seq });
  const stored: AuditEvent = { ...event, seq, prevHash, hash };
  await tx.insert(auditEvents).values(toAuditRow(stored));
  return stored;
}

/** Appends an event in a transaction of its own, for events that record no state change (sign-in, download). */
export function appendAuditStandalone(db: Db, input: AuditEventInput): Promise<AuditEvent> {
  return db.transaction((tx) => appendAudit(tx, input));
}
