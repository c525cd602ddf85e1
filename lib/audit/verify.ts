import "server-only";
import { asc, gt } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { TrailVerifier, type TrailVerifyOptions } from "./chain";
import type { AuditVerification } from "./events";
import { auditEventColumns, toAuditEvent } from "./rows";

export type VerifyOptions = TrailVerifyOptions & {
  /** Rows read per query (keyset pagination on seq). Default 2,000. */
  batchSize?: number;
};

/**
 * Walks the whole chain from seq 1, a batch at a time, and reports every broken event (see chain.ts for the
 * rules) and every checkpoint that does not hold (checkpoint-format.ts). Events appended while it runs are
 * verified too if they land before the walk reaches the end.
 *
 * Someone who can write the database can rewrite events and rehash the chain to its end; the checkpoints
 * show that (give `publicKey`, or their signatures are not checked). Events cut from the end show only
 * against a checkpoint kept outside the database: pass the latest as `latestExternal`.
 */
export async function verifyAudit(db: Db, opts: VerifyOptions = {}): Promise<AuditVerification> {
  const batchSize = opts.batchSize ?? 2000;
  const trail = new TrailVerifier(opts);
  let after = 0;
  for (;;) {
    const rows = await db
      .select(auditEventColumns)
      .from(auditEvents)
      .where(gt(auditEvents.seq, after))
      .orderBy(asc(auditEvents.seq))
      .limit(batchSize);
    for (const row of rows) trail.event(toAuditEvent(row));
    if (rows.length < batchSize) break;
    after = rows[rows.length - 1]!.seq;
  }
  return trail.result();
}
