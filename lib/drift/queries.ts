import "server-only";
import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { driftFindings as f, driftWatch as w, importRequests, inventoryKeys as k } from "@/lib/db/schema";
import type { FindingDraft, Watch } from "./rules";

/** The drift tables' only reader and writer. */

type KeyRef = { targetId: string; region: string; keyId: string };

/** Every key of a target/Region Keyport has checked, by key id: one read per refresh, not one per key. */
export async function watchedKeys(db: Db, targetId: string, region: string): Promise<Map<string, Watch>> {
  const rows = await db
    .select({ keyId: w.keyId, baseline: w.baseline, lastState: w.lastState, observedAt: w.observedAt })
    .from(w)
    .where(and(eq(w.targetId, targetId), eq(w.region, region)));
  return new Map(rows.map(({ keyId, ...watch }) => [keyId, watch]));
}

/** Records the key as seen now: its baseline the first time, its state whenever the state changed. */
export async function saveWatch(tx: Tx, key: KeyRef, watch: Watch, at: Date, isNew: boolean): Promise<void> {
  if (isNew) {
    await tx.insert(w).values({ ...key, baseline: watch.baseline, lastState: watch.lastState, observedAt: at, establishedAt: at }).onConflictDoNothing();
    return;
  }
  await tx
    .update(w)
    .set({ lastState: watch.lastState, observedAt: at })
    .where(and(eq(w.targetId, key.targetId), eq(w.region, key.region), eq(w.keyId, key.keyId)));
}

/**
 * Whether Keyport is importing into (or deleting from) the key right now: KMS may already show the change
 * while the trail does not yet, so the key is checked at the next refresh instead.
 */
export async function keyBusy(db: Db, key: KeyRef): Promise<boolean> {
  const [row] = await db
    .select({ id: importRequests.id })
    .from(importRequests)
    .where(and(eq(importRequests.targetId, key.targetId), eq(importRequests.region, key.region), eq(importRequests.keyId, key.keyId), eq(importRequests.state, "importing")))
    .limit(1);
  return !!row;
}

/** Inserts a finding unless the same change is already recorded; answers its id only when it is new. */
export async function insertFinding(tx: Tx, key: KeyRef & { keyArn: string }, draft: FindingDraft, at: Date): Promise<string | null> {
  const [row] = await tx
    .insert(f)
    .values({ ...key, kind: draft.kind, fingerprint: draft.fingerprint, keyMaterialId: draft.keyMaterialId, details: draft.details, foundAt: at })
    .onConflictDoNothing()
    .returning({ id: f.id });
  return row?.id ?? null;
}

export type FindingRow = KeyRef & {
  id: string;
  keyArn: string;
  kind: string;
  keyMaterialId: string | null;
  details: Record<string, string | null>;
  foundAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedByName: string | null;
  acknowledgementComment: string | null;
  /** The key's first alias as the inventory last read it, to name the key on pages. */
  alias: string | null;
};

const columns = {
  id: f.id,
  targetId: f.targetId,
  region: f.region,
  keyId: f.keyId,
  keyArn: f.keyArn,
  kind: f.kind,
  keyMaterialId: f.keyMaterialId,
  details: f.details,
  foundAt: f.foundAt,
  acknowledgedAt: f.acknowledgedAt,
  acknowledgedByName: f.acknowledgedByName,
  acknowledgementComment: f.acknowledgementComment,
};

/** Findings, open ones first, newest first within each; for one key when `key` is given. */
export async function listFindings(db: Db, options: { key?: KeyRef; limit: number }): Promise<{ rows: FindingRow[]; open: number }> {
  const where = options.key ? and(eq(f.targetId, options.key.targetId), eq(f.region, options.key.region), eq(f.keyId, options.key.keyId)) : undefined;
  const [rows, [count]] = await Promise.all([
    db
      .select({ ...columns, alias: sql<string | null>`${k.aliases}[1]` })
      .from(f)
      .leftJoin(k, and(eq(k.targetId, f.targetId), eq(k.region, f.region), eq(k.keyId, f.keyId)))
      .where(where)
      .orderBy(sql`${f.acknowledgedAt} IS NOT NULL`, desc(f.foundAt), asc(f.id))
      .limit(options.limit),
    db
      .select({ open: sql<number>`count(*)::int` })
      .from(f)
      .where(and(where, isNull(f.acknowledgedAt))),
  ]);
  return { rows, open: count?.open ?? 0 };
}

/** The finding, locked for the acknowledgement's transaction. */
export async function lockFinding(tx: Tx, id: string): Promise<Omit<FindingRow, "alias"> | null> {
  const [row] = await tx.select(columns).from(f).where(eq(f.id, id)).for("update");
  return row ?? null;
}

export async function markAcknowledged(tx: Tx, id: string, by: { subject: string; name: string | null }, comment: string, at: Date): Promise<void> {
  await tx
    .update(f)
    .set({ acknowledgedAt: at, acknowledgedBySubject: by.subject, acknowledgedByName: by.name, acknowledgementComment: comment })
    .where(and(eq(f.id, id), isNull(f.acknowledgedAt)));
}
