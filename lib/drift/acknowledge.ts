import "server-only";
import { appendAudit, type AuditUserActor } from "@/lib/audit";
import type { Db } from "@/lib/db";
import { KeyportError } from "@/lib/errors";
import * as queries from "./queries";
import type { AcknowledgeFinding } from "./schemas";

/**
 * An auditor or admin accepts a finding, saying why. The finding stays (marked), and the acknowledgement is
 * in the trail; a finding is acknowledged once, so a second attempt is refused and names the first.
 */
export async function acknowledgeFinding(db: Db, actor: AuditUserActor, input: AcknowledgeFinding, at: Date): Promise<{ acknowledgedAt: Date }> {
  return db.transaction(async (tx) => {
    const finding = await queries.lockFinding(tx, input.findingId);
    if (!finding) throw new KeyportError("not_found", "There is no such finding of a change outside Keyport. Reload the page.", { status: 404 });
    if (finding.acknowledgedAt) {
      throw new KeyportError(
        "already_acknowledged",
        `${finding.acknowledgedByName ?? "Someone"} already acknowledged this finding on ${finding.acknowledgedAt.toISOString()}; their comment stands. Reload the page to see it.`,
        { status: 409 },
      );
    }
    await queries.markAcknowledged(tx, finding.id, { subject: actor.subject, name: actor.name ?? null }, input.comment, at);
    await appendAudit(tx, {
      action: "drift.acknowledged",
      actor,
      at,
      targetId: finding.targetId,
      region: finding.region,
      keyArn: finding.keyArn,
      details: { findingId: finding.id, kind: finding.kind, keyMaterialId: finding.keyMaterialId, comment: input.comment },
    });
    return { acknowledgedAt: at };
  });
}
