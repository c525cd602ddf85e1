import "server-only";
import { and, asc, eq, lte } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { notificationOutbox as o } from "@/lib/db/schema";
import type { OutboxMessage } from "./payload";

/** The outbox: the only queries of lib/notify (its lease is lib/db/leases.ts). */

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
