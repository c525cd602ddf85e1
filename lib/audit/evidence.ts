import "server-only";
import { and, asc, desc, eq, gt, gte, lt, lte, max, min } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { KeyportError } from "@/lib/errors";
import { CHECKPOINT_ACTION, parseCheckpoint, type SignedCheckpoint } from "./checkpoint-format";
import { MAX_EVIDENCE_EVENTS, eventForExport, stepsOf, type EvidenceRecord } from "./evidence-format";
import { auditEventColumns, toAuditEvent } from "./rows";

/**
 * The audit side of an evidence record (evidence-format.ts): the request's stretch of the chain, from its
 * first event to the first signed checkpoint after its last, the steps derived from it, and the checkpoints
 * around it. Four indexed queries and one range scan.
 */
export async function evidenceStretch(db: Db, requestId: string): Promise<Pick<EvidenceRecord, "range" | "steps" | "events" | "checkpoints"> | null> {
  const [bounds] = await db
    .select({ first: min(auditEvents.seq), last: max(auditEvents.seq) })
    .from(auditEvents)
    .where(eq(auditEvents.requestId, requestId));
  if (!bounds?.first || !bounds.last) return null;
  const { first, last } = bounds;
  const after = await checkpointNear(db, gt(auditEvents.seq, last), "after");
  const before = await checkpointNear(db, lt(auditEvents.seq, first), "before");
  const end = after?.seq ?? Number.MAX_SAFE_INTEGER;
  const rows = await db
    .select(auditEventColumns)
    .from(auditEvents)
    .where(and(gte(auditEvents.seq, first), lte(auditEvents.seq, end)))
    .orderBy(asc(auditEvents.seq))
    .limit(MAX_EVIDENCE_EVENTS + 1);
  if (rows.length > MAX_EVIDENCE_EVENTS) {
    throw new KeyportError(
      "evidence_too_long",
      `This request's stretch of the audit trail is longer than ${MAX_EVIDENCE_EVENTS.toLocaleString("en")} events, too long for one evidence record. Export the trail for its dates from /audit and verify that instead.`,
      { status: 422 },
    );
  }
  const events = rows.map(toAuditEvent);
  return { range: { first, last }, steps: stepsOf(events, requestId), events: events.map(eventForExport), checkpoints: { before, after } };
}

/** The nearest checkpoint event on one side of the request, read back as a checkpoint (a malformed one is passed over). */
async function checkpointNear(db: Db, side: ReturnType<typeof gt>, direction: "before" | "after"): Promise<{ seq: number; checkpoint: SignedCheckpoint } | null> {
  const rows = await db
    .select({ seq: auditEvents.seq, details: auditEvents.details })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, CHECKPOINT_ACTION), side))
    .orderBy(direction === "after" ? asc(auditEvents.seq) : desc(auditEvents.seq))
    .limit(5);
  for (const row of rows) {
    const parsed = parseCheckpoint(row.details);
    if (typeof parsed !== "string") return { seq: row.seq, checkpoint: parsed };
  }
  return null;
}
