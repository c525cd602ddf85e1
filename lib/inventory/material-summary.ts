import "server-only";
import type { KMSClient } from "@aws-sdk/client-kms";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { inventoryMaterialSummaries } from "@/lib/db/schema";
import { listKeyMaterial, type KeyMaterialEntry, type KeyMetadata } from "@/lib/kms/operations";

/**
 * What the key-age report needs from ListKeyRotations, kept in the database at refresh time: when the current
 * material became current and how many on-demand rotations the key has had. ListKeyRotations answers for
 * symmetric keys only and is allowed 100 calls a second per account and Region (DescribeKey 2,000): a refresh
 * reads it once per EXTERNAL symmetric key, for the drift check (lib/drift) and this summary together, and
 * writes the summary only when DescribeKey reports a CurrentKeyMaterialId the stored one does not describe.
 */

const s = inventoryMaterialSummaries;

export type MaterialSummary = { keyMaterialId: string; currentSince: Date | null; onDemandRotations: number };

/** From a key's material history (pure): the current material's rotation date (none for a first material) and the on-demand rotations. */
export function summariseMaterial(keyMaterialId: string, entries: readonly KeyMaterialEntry[]): MaterialSummary {
  const current = entries.find((e) => e.keyMaterialId === keyMaterialId) ?? entries.find((e) => e.state === "CURRENT");
  return {
    keyMaterialId,
    currentSince: current?.rotationDate ?? null,
    onDemandRotations: entries.filter((e) => e.rotationType === "ON_DEMAND").length,
  };
}

/** Whether KMS lists `metadata`'s key material (ListKeyRotations): EXTERNAL symmetric keys. */
export function hasMaterialHistory(metadata: KeyMetadata): boolean {
  return metadata.origin === "EXTERNAL" && metadata.keySpec === "SYMMETRIC_DEFAULT";
}

/** Whether `metadata`'s summary must be written: an EXTERNAL symmetric key whose current material is not the one summarised. */
export function needsMaterialSummary(metadata: KeyMetadata, summarised: string | undefined): boolean {
  return hasMaterialHistory(metadata) && !!metadata.currentKeyMaterialId && metadata.currentKeyMaterialId !== summarised;
}

/** The material id each key's stored summary describes, for one account and Region (or one key of it). */
export async function summarisedMaterial(db: Db, targetId: string, region: string, keyId?: string): Promise<Map<string, string>> {
  const rows = await db
    .select({ keyId: s.keyId, keyMaterialId: s.keyMaterialId })
    .from(s)
    .where(and(eq(s.targetId, targetId), eq(s.region, region), keyId ? eq(s.keyId, keyId) : undefined));
  return new Map(rows.map((row) => [row.keyId, row.keyMaterialId]));
}

export type KeyRef = { targetId: string; region: string; keyId: string };

/** One string per key and Region, for maps keyed by key (here and in lists that join other per-key facts). */
export function keyRefId(key: KeyRef): string {
  return `${key.targetId}\u0000${key.region}\u0000${key.keyId}`;
}

/** Keys beyond this many are read in several queries: each key id is one bind parameter. */
const CHUNK = 2000;

/**
 * A fact per key for many keys at once, by `keyRefId`: `read` is given at most 2,000 key ids a call and may
 * answer rows of other accounts or Regions with the same key id, which are dropped; `value` makes the fact of a row.
 */
export async function readPerKey<Row extends KeyRef, T>(
  keys: readonly KeyRef[],
  read: (keyIds: string[]) => Promise<Row[]>,
  value: (row: Row) => T,
): Promise<Map<string, T>> {
  const wanted = new Set(keys.map(keyRefId));
  const keyIds = [...new Set(keys.map((key) => key.keyId))];
  const out = new Map<string, T>();
  for (let i = 0; i < keyIds.length; i += CHUNK) {
    for (const row of await read(keyIds.slice(i, i + CHUNK))) {
      const id = keyRefId(row);
      if (wanted.has(id)) out.set(id, value(row));
    }
  }
  return out;
}

/**
 * The stored summaries of many keys at once (by `keyRefId`), for pages that list keys: one query per 2,000 keys
 * instead of a ListKeyRotations per key. A summary describes the material named by its keyMaterialId; a caller
 * compares that with the key's CurrentKeyMaterialId before trusting it.
 */
export async function summariesOfKeys(db: Db, keys: readonly KeyRef[]): Promise<Map<string, MaterialSummary>> {
  return readPerKey(
    keys,
    (keyIds) =>
      db
        .select({ targetId: s.targetId, region: s.region, keyId: s.keyId, keyMaterialId: s.keyMaterialId, currentSince: s.currentSince, onDemandRotations: s.onDemandRotations })
        .from(s)
        .where(inArray(s.keyId, keyIds)),
    (row) => ({ keyMaterialId: row.keyMaterialId, currentSince: row.currentSince, onDemandRotations: row.onDemandRotations }),
  );
}

/** Reads `metadata`'s material history and returns its summary (one ListKeyRotations, paged). */
export async function readMaterialSummary(client: KMSClient, metadata: KeyMetadata): Promise<MaterialSummary & { keyId: string }> {
  const entries = await listKeyMaterial(client, metadata.arn);
  return { keyId: metadata.keyId, ...summariseMaterial(metadata.currentKeyMaterialId!, entries) };
}

export async function upsertMaterialSummaries(db: Db, targetId: string, region: string, rows: ReadonlyArray<MaterialSummary & { keyId: string }>, at: Date) {
  if (rows.length === 0) return;
  await db
    .insert(s)
    .values(rows.map((row) => ({ targetId, region, keyId: row.keyId, keyMaterialId: row.keyMaterialId, currentSince: row.currentSince, onDemandRotations: row.onDemandRotations, readAt: at })))
    .onConflictDoUpdate({
      target: [s.targetId, s.region, s.keyId],
      set: {
        keyMaterialId: sql`excluded.key_material_id`,
        currentSince: sql`excluded.current_since`,
        onDemandRotations: sql`excluded.on_demand_rotations`,
        readAt: sql`excluded.read_at`,
      },
    });
}
