import "server-only";
import { and, asc, desc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { auditEvents as a, driftFindings as f, driftWatch as w, importRequests, inventoryKeys as k } from "@/lib/db/schema";
import type { KeyRef } from "@/lib/inventory/material-summary";
import type { FindingDraft, Watch } from "./rules";

/** The drift tables' only reader and writer. */

/** Every key of a target/Region Keyport has checked, by key id: one read per refresh, not one per key. */
export async function watchedKeys(db: Db, targetId: string, region: string): Promise<Map<string, Watch>> {
  const rows = await db
    .select({ keyId: w.keyId, baseline: w.baseline, lastState: w.lastState, observedAt: w.observedAt })
    .from(w)
    .where(and(eq(w.targetId, targetId), eq(w.region, region)));
  return new Map(rows.map(({ keyId, ...watch }) => [keyId, watch]));
}

/** A key as a refresh saw it: its baseline the first time (`isNew`), its state whenever the state changed. */
export type WatchWrite = { keyId: string; watch: Watch; at: Date; isNew: boolean };

/** Records a refresh's keys as seen: one insert for the keys seen the first time, an update per changed state. */
export async function saveWatches(tx: Tx, targetId: string, region: string, writes: readonly WatchWrite[]): Promise<void> {
  const added = writes.filter((write) => write.isNew);
  if (added.length > 0) {
    await tx
      .insert(w)
      .values(added.map(({ keyId, watch, at }) => ({ targetId, region, keyId, baseline: watch.baseline, lastState: watch.lastState, observedAt: at, establishedAt: at })))
      .onConflictDoNothing();
  }
  for (const { keyId, watch, at } of writes.filter((write) => !write.isNew)) {
    await tx
      .update(w)
      .set({ lastState: watch.lastState, observedAt: at })
      .where(and(eq(w.targetId, targetId), eq(w.region, region), eq(w.keyId, keyId)));
  }
}

/**
 * Which of `keyIds` Keyport is importing into (or deleting from) right now: KMS may already show the change
 * while the trail does not yet, so such a key is checked at the next refresh instead. Read after KMS was,
 * and before the trail is: a request that finished in between is then in the trail.
 */
export async function busyKeys(db: Db, targetId: string, region: string, keyIds: readonly string[]): Promise<Set<string>> {
  if (keyIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ keyId: importRequests.keyId })
    .from(importRequests)
    .where(and(eq(importRequests.targetId, targetId), eq(importRequests.region, region), eq(importRequests.state, "importing"), inArray(importRequests.keyId, [...keyIds])));
  return new Set(rows.map((row) => row.keyId));
}

const TRAIL_ACTIONS = ["import.imported", "material.deleted"];

/** The keys of a target/Region whose trail names an import or deletion: read once per refresh (a trail only grows). */
export async function keysWithTrail(db: Db, targetId: string, region: string): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ keyArn: a.keyArn })
    .from(a)
    .where(and(eq(a.targetId, targetId), eq(a.region, region), inArray(a.action, TRAIL_ACTIONS)));
  return new Set(rows.flatMap((row) => (row.keyArn ? [row.keyArn] : [])));
}

export type TrailRow = { seq: number; keyArn: string; action: string; details: Record<string, unknown> };

/**
 * Keyport's imports and deletions of the material of `keyArns`, the newest `perKey` of each, oldest first:
 * one query for a batch of keys.
 */
export async function keyTrails(db: Db, keyArns: readonly string[], perKey: number): Promise<Map<string, TrailRow[]>> {
  const out = new Map<string, TrailRow[]>();
  if (keyArns.length === 0) return out;
  const ranked = db
    .select({
      seq: a.seq,
      rank: sql<number>`row_number() over (partition by ${a.keyArn} order by ${a.seq} desc)`.as("rank"),
    })
    .from(a)
    .where(and(inArray(a.keyArn, [...new Set(keyArns)]), inArray(a.action, TRAIL_ACTIONS)))
    .as("ranked");
  const rows = await db
    .select({ seq: a.seq, keyArn: a.keyArn, action: a.action, details: a.details })
    .from(a)
    .innerJoin(ranked, eq(ranked.seq, a.seq))
    .where(lte(ranked.rank, perKey))
    .orderBy(asc(a.seq));
  for (const row of rows) {
    const keyArn = row.keyArn!;
    const trail = out.get(keyArn) ?? [];
    trail.push({ ...row, keyArn });
    out.set(keyArn, trail);
  }
  return out;
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
