import "server-only";
import { and, eq, lte, or } from "drizzle-orm";
import type { Db } from "./client";
import { leases } from "./schema";

/**
 * Leases for background work that several instances sharing one database must not do twice at once (the
 * notification sender, the rotation pass). A lease is a row with an owner and an end; it is taken, or renewed
 * by its owner, with one conditional upsert, so of two instances trying at once exactly one wins, and a holder
 * that crashed loses it when it runs out.
 */

export type LeaseName = "notification_sender" | "rotation_pass";

/** Takes `name` for `ms` from `at`, unless another owner holds it past `at`; renews it for its owner. */
export async function takeLease(db: Db, name: LeaseName, owner: string, at: Date, ms: number): Promise<boolean> {
  const until = new Date(at.getTime() + ms);
  const rows = await db
    .insert(leases)
    .values({ name, owner, until })
    .onConflictDoUpdate({ target: leases.name, set: { owner, until }, setWhere: or(lte(leases.until, at), eq(leases.owner, owner)) })
    .returning({ name: leases.name });
  return rows.length === 1;
}

/** Gives the lease back, so the next pass on any instance may take it at once. */
export async function releaseLease(db: Db, name: LeaseName, owner: string): Promise<void> {
  await db
    .update(leases)
    .set({ until: new Date(0) })
    .where(and(eq(leases.name, name), eq(leases.owner, owner)));
}
