import "server-only";
import { and, asc, eq, isNull, lt, lte, or } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { notificationOutbox as o, notificationSender as s } from "@/lib/db/schema";
import type { OutboxMessage } from "./payload";

/** The outbox and the sender's lease: the only queries of lib/notify. */

const LEASE_ID = "webhook";

/**
 * Takes the sender's lease, or extends it when `owner` already holds it. A conditional UPDATE, as the inventory
 * refresh takes its own: of two instances trying at once, one row update wins; a crashed holder's lease runs out.
 */
export async function takeLease(db: Db, owner: string, at: Date, leaseMs: number): Promise<boolean> {
  await db.insert(s).values({ id: LEASE_ID }).onConflictDoNothing();
  const taken = await db
    .update(s)
    .set({ leaseOwner: owner, leaseUntil: new Date(at.getTime() + leaseMs) })
    .where(and(eq(s.id, LEASE_ID), or(isNull(s.leaseUntil), lt(s.leaseUntil, at), eq(s.leaseOwner, owner))))
    .returning({ id: s.id });
  return taken.length === 1;
}

/** Gives the lease back at the end of a pass, so the next nudge on any instance can send at once. */
export async function releaseLease(db: Db, owner: string): Promise<void> {
  await db.update(s).set({ leaseOwner: null, leaseUntil: null }).where(and(eq(s.id, LEASE_ID), eq(s.leaseOwner, owner)));
}

export type DueMessage = OutboxMessage & { attempts: number };

/** Pending messages whose next attempt is due, oldest first. */
export async function dueMessages(db: Db, at: Date, limit: number): Promise<DueMessage[]> {
  return db
    .select({
      id: o.id,
      kind: o.kind,
      summary: o.summary,
      keyArn: o.keyArn,
      targetId: o.targetId,
      region: o.region,
      requestId: o.requestId,
      path: o.path,
      fields: o.fields,
      createdAt: o.createdAt,
      attempts: o.attempts,
    })
    .from(o)
    .where(and(eq(o.status, "pending"), lte(o.nextAttemptAt, at)))
    .orderBy(asc(o.nextAttemptAt), asc(o.createdAt))
    .limit(limit);
}

/** Conditional on the attempt count read: a message's attempt is recorded once, whoever else looks at it. */
function unchanged(message: DueMessage) {
  return and(eq(o.id, message.id), eq(o.status, "pending"), eq(o.attempts, message.attempts));
}

export async function markDelivered(db: Db, message: DueMessage, at: Date): Promise<boolean> {
  const rows = await db
    .update(o)
    .set({ status: "delivered", attempts: message.attempts + 1, deliveredAt: at, lastError: null })
    .where(unchanged(message))
    .returning({ id: o.id });
  return rows.length === 1;
}

/** A failed attempt: tried again at `nextAttemptAt`, or (null) given up. */
export async function markFailed(tx: Tx, message: DueMessage, error: string, nextAttemptAt: Date | null): Promise<boolean> {
  const rows = await tx
    .update(o)
    .set(nextAttemptAt ? { attempts: message.attempts + 1, lastError: error, nextAttemptAt } : { attempts: message.attempts + 1, lastError: error, status: "gave_up" })
    .where(unchanged(message))
    .returning({ id: o.id });
  return rows.length === 1;
}
