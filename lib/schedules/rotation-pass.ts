import "server-only";
import { appendAudit, SYSTEM_ACTOR } from "@/lib/audit";
import { releaseLease, takeLease } from "@/lib/db/leases";
import { scheduleRotationsDue as d } from "@/lib/db/schema";
import { isKeyportError } from "@/lib/errors";
import { KEYPORT_ACTOR } from "@/lib/imports/deps";
import { importChoices, openImportRequest } from "@/lib/imports/workflow/start";
import type { KeyRow } from "@/lib/inventory/queries";
import { enqueueNotification } from "@/lib/notify";
import { scheduledStart } from "./choices";
import type { ScheduleDeps } from "./estate";
import { ROTATION_LIMIT } from "./policy";
import { liveKeyRotation, scheduledRotationChunks } from "./rotations";

/**
 * The rotation pass: for every symmetric key whose policy asks for new material every N days, when its
 * current material is N days old, Keyport opens a DRAFT rotation request for the custodians — nothing rotates
 * by itself: a custodian obtains the parameters, wraps new material and uploads it, and approvers decide as
 * for any rotation. Once per due period: the draft and a row naming the period (the material it counts from)
 * are written in one transaction with the audit event (`schedule.rotation_due`) and the notification, so
 * neither a second pass nor a second instance opens another, and a draft someone cancelled stays cancelled
 * until the key has new material. One instance runs the pass at a time, under a lease in the database. Where
 * each key stands comes from the stored material summaries; AWS KMS is asked only about keys they say are due.
 */

export const ROTATION_PASS_INTERVAL_MS = 15 * 60_000;
const LEASE = "rotation_pass";
const LEASE_MS = 5 * 60_000;

export type PassOutcome = { ran: boolean; opened: string[] };

export async function rotationPass(deps: ScheduleDeps, owner: string): Promise<PassOutcome> {
  if (!(await takeLease(deps.db, LEASE, owner, deps.now(), LEASE_MS))) return { ran: false, opened: [] };
  const opened: string[] = [];
  try {
    // Every candidate, a chunk at a time: the estate has no size past which keys go unconsidered.
    for await (const chunk of scheduledRotationChunks(deps)) {
      for (const candidate of chunk) {
        // Storage rules out the keys that are not due: since the summary was written a key can only have gained
        // rotations, which make it less due, never more. A key due by it, or not summarised yet, is read live.
        const stored = candidate.rotation?.status.state;
        if (stored && stored !== "due") continue;
        const { status, since } = await liveKeyRotation(deps, candidate.key, candidate.everyDays);
        if (status.state !== "due" || !since) continue;
        const requestId = await openDraft(deps, candidate.key, { everyDays: candidate.everyDays, source: candidate.policy.source, since, used: status.used });
        if (requestId) opened.push(requestId);
      }
    }
  } finally {
    await releaseLease(deps.db, LEASE, owner);
  }
  return { ran: true, opened };
}

/** The period a draft answers for: the key's current material (or, unnamed, the time it became current). */
function basisOf(key: KeyRow, since: Date): string {
  return key.currentKeyMaterialId ? `material:${key.currentKeyMaterialId}` : `since:${since.toISOString()}`;
}

/** Thrown inside the draft's transaction to undo it: this period already had its draft. */
class AlreadyOpened extends Error {}

async function openDraft(
  deps: ScheduleDeps,
  key: KeyRow,
  facts: { everyDays: number; source: "key" | "target"; since: Date; used: number },
): Promise<string | null> {
  const now = deps.now();
  const basis = basisOf(key, facts.since);
  const left = ROTATION_LIMIT - facts.used;
  try {
    return await deps.db.transaction(async (tx) => {
      const justification = `Scheduled rotation: this key's policy asks for new key material every ${facts.everyDays} days, and its material has been current since ${facts.since.toISOString().slice(0, 10)}.`;
      const input = await scheduledStart(tx, key, "rotate", now, justification);
      const choices = importChoices(key, input, now);
      // Refuses while the key has an open request (someone is already at work on it): the next pass tries again.
      const request = await openImportRequest(tx, key, KEYPORT_ACTOR, now, input, choices);
      const marked = await tx
        .insert(d)
        .values({ targetId: key.targetId, region: key.region, keyId: key.keyId, basis, requestId: request.id, openedAt: now })
        .onConflictDoNothing()
        .returning({ basis: d.basis });
      if (marked.length === 0) throw new AlreadyOpened();
      await appendAudit(tx, {
        action: "schedule.rotation_due",
        actor: SYSTEM_ACTOR,
        at: now,
        targetId: key.targetId,
        region: key.region,
        keyArn: key.arn,
        requestId: request.id,
        details: { everyDays: facts.everyDays, policy: facts.source, materialSince: facts.since.toISOString(), basis, rotationsUsed: facts.used, rotationsLeft: left },
      });
      await enqueueNotification(tx, {
        kind: "rotation.due",
        dedupeKey: `rotation.due:${key.arn}:${basis}`,
        summary: `${key.aliases[0] ?? key.keyId} is due for new key material: a custodian should obtain parameters for the draft rotation request, wrap new material and upload it.`,
        keyArn: key.arn,
        targetId: key.targetId,
        region: key.region,
        requestId: request.id,
        path: `/imports/${request.id}`,
        fields: { "Every (days)": facts.everyDays, "Current since": facts.since.toISOString().slice(0, 10), "Rotations left": left },
        at: now,
      });
      return request.id;
    });
  } catch (error) {
    // Already opened for this period, a request already open on the key, or a key that cannot rotate now
    // (disabled meanwhile): nothing was written, and the schedule page shows why.
    if (error instanceof AlreadyOpened || isKeyportError(error)) return null;
    throw error;
  }
}
