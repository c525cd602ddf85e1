import "server-only";
import { asc, gt } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { ChainVerifier } from "./chain";
import type { AuditVerification } from "./events";
import { auditEventColumns, toAuditEvent } from "./rows";

export type VerifyOptions = {
  /** Rows read per query (keyset pagination on seq). Default 2,000. */
  batchSize?: number;
};

/**
 * Walks the whole chain from seq 1, a batch at a time, and reports the first broken link (see chain.ts for
 * the rules). Events appended while it runs are verified too if they land before the walk reaches the end.
 *
 * What it cannot see: events removed from the end of the chain (the remaining chain is still valid).
 * Compare `lastSeq`/`lastHash` with a previously recorded value (e.g. an earlier export) to detect that.
 */
export async function verifyAudit(db: Db, opts: VerifyOptions = {}): Promise<AuditVerification> {
  const batchSize = opts.batchSize ?? 2000;
  const chain = new ChainVerifier(true);
  let after = 0;
  for (;;) {
    const rows = await db
      .select(auditEventColumns)
      .from(auditEvents)
      .where(gt(auditEvents.seq, after))
      .orderBy(asc(auditEvents.seq))
      .limit(batchSize);
    for (const row of rows) {
      const event = toAuditEvent(row);
      const reason = chain.check(event);
      if (reason) return { ok: false, count: chain.count, brokenAt: { seq: event.seq, id: event.id, reason } };
    }
    if (rows.length < batchSize) break;
    after = rows[rows.length - 1]!.seq;
  }
  return { ok: true, count: chain.count, lastSeq: chain.lastSeq, lastHash: chain.lastHash };
}
