import "server-only";
import { and, asc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { tables } from "@/lib/db";
import type { KeyMetadata } from "@/lib/kms/operations";

/** The write side of the inventory tables, and the refresh bookkeeping; pages read through ./key-list. */

const k = tables.inventoryKeys;
const r = tables.inventoryRefreshes;

export * from "./key-list";

/** A cached key as a refresh finds it: its origin, and when it was last described (which tells a later write apart). */
export type KnownKey = { origin: string | null; describedAt: Date | null };

export async function knownKeys(db: Db, targetId: string, region: string): Promise<Map<string, KnownKey>> {
  const rows = await db
    .select({ keyId: k.keyId, origin: k.origin, describedAt: k.lastDescribedAt })
    .from(k)
    .where(and(eq(k.targetId, targetId), eq(k.region, region)));
  return new Map(rows.map((row) => [row.keyId, { origin: row.origin, describedAt: row.describedAt }]));
}

/**
 * Inserts or updates described keys. Only EXTERNAL keys are kept in full; for any other key the cache needs
 * just enough to never describe it again (origin never changes), which keeps a cold refresh of a large
 * estate — 95% of it typically AWS_KMS — cheap to write.
 *
 * Each group is one statement with the rows as a single JSON parameter: a cold refresh writes thousands of
 * rows, and drizzle building a multi-row VALUES list with a bind parameter per cell took more CPU than the
 * database's own work (`npm run bench:inventory` prints the CPU a refresh costs).
 *
 * `unlessChangedSince`: a full refresh holds what DescribeKey told it until it writes its batch, and meanwhile
 * an import or deletion may change a key and re-read it (refreshKey, which passes nothing here). Given the
 * keys as the refresh found them, an EXTERNAL key's row is written only if it still carries the
 * last_described_at it had then (or, for a key the refresh did not know, if there is still no row): a row
 * someone wrote since holds a newer answer, and the older one must not replace it. Compared by value, not by
 * time, so a clock that moved (the demo clock) cannot make an old answer look new.
 */
export async function upsertDescribed(
  db: Db,
  targetId: string,
  region: string,
  keys: KeyMetadata[],
  at: Date,
  options: { unlessChangedSince?: ReadonlyMap<string, KnownKey> } = {},
): Promise<void> {
  const found = options.unlessChangedSince;
  const external = keys.filter((m) => m.origin === "EXTERNAL");
  const others = keys.filter((m) => m.origin !== "EXTERNAL");
  const now = sql`${at.toISOString()}::timestamptz`;
  if (others.length > 0) {
    const rows = JSON.stringify(others.map((m) => ({ key_id: m.keyId, arn: m.arn, account_id: m.accountId, origin: m.origin })));
    await db.execute(sql`
      INSERT INTO inventory_keys (target_id, region, key_id, arn, account_id, origin, last_described_at, first_seen_at, last_seen_at)
      SELECT ${targetId}, ${region}, v.key_id, v.arn, v.account_id, v.origin, ${now}, ${now}, ${now}
      FROM jsonb_to_recordset(${rows}::jsonb) AS v(key_id text, arn text, account_id text, origin text)
      ON CONFLICT (target_id, region, key_id) DO UPDATE SET
        origin = excluded.origin, last_described_at = excluded.last_described_at, last_seen_at = excluded.last_seen_at`);
  }
  if (external.length === 0) return;
  const rows = JSON.stringify(
    external.map((m) => ({
      key_id: m.keyId,
      arn: m.arn,
      account_id: m.accountId,
      origin: m.origin,
      key_spec: m.keySpec,
      key_usage: m.keyUsage,
      key_state: m.keyState,
      enabled: m.enabled,
      key_manager: m.keyManager,
      description: m.description,
      creation_date: m.creationDate?.toISOString() ?? null,
      valid_to: m.validTo?.toISOString() ?? null,
      expiration_model: m.expirationModel,
      current_key_material_id: m.currentKeyMaterialId,
      multi_region: m.multiRegion,
      primary_region: m.primaryRegion,
      deletion_date: m.deletionDate?.toISOString() ?? null,
      guarded: found !== undefined,
      found_described_at: found?.get(m.keyId)?.describedAt?.toISOString() ?? null,
    })),
  );
  await db.execute(sql`
    WITH v AS (
      SELECT * FROM jsonb_to_recordset(${rows}::jsonb) AS v(key_id text, arn text, account_id text, origin text, key_spec text,
        key_usage text, key_state text, enabled boolean, key_manager text, description text, creation_date timestamptz,
        valid_to timestamptz, expiration_model text, current_key_material_id text, multi_region boolean, primary_region text, deletion_date timestamptz,
        guarded boolean, found_described_at timestamptz)
    )
    INSERT INTO inventory_keys (target_id, region, key_id, arn, account_id, origin, key_spec, key_usage, key_state, enabled,
      key_manager, description, creation_date, valid_to, expiration_model, current_key_material_id, multi_region,
      primary_region, deletion_date, last_described_at, first_seen_at, last_seen_at)
    SELECT ${targetId}, ${region}, v.key_id, v.arn, v.account_id, v.origin, v.key_spec, v.key_usage, v.key_state, v.enabled,
      v.key_manager, v.description, v.creation_date, v.valid_to, v.expiration_model, v.current_key_material_id, v.multi_region,
      v.primary_region, v.deletion_date, ${now}, ${now}, ${now}
    FROM v
    ON CONFLICT (target_id, region, key_id) DO UPDATE SET
      origin = excluded.origin, key_spec = excluded.key_spec, key_usage = excluded.key_usage, key_state = excluded.key_state,
      enabled = excluded.enabled, key_manager = excluded.key_manager, description = excluded.description,
      creation_date = excluded.creation_date, valid_to = excluded.valid_to, expiration_model = excluded.expiration_model,
      current_key_material_id = excluded.current_key_material_id, multi_region = excluded.multi_region,
      primary_region = excluded.primary_region, deletion_date = excluded.deletion_date, last_described_at = excluded.last_described_at, last_seen_at = excluded.last_seen_at
    WHERE NOT EXISTS (
      SELECT 1 FROM v AS f
      WHERE f.key_id = excluded.key_id AND f.guarded AND inventory_keys.last_described_at IS DISTINCT FROM f.found_described_at
    )`);
}

/** Records that ListKeys still returned these keys (the ones not described again). */
export async function markSeen(db: Db, targetId: string, region: string, keyIds: string[], at: Date): Promise<void> {
  for (let i = 0; i < keyIds.length; i += 5000) {
    await db
      .update(k)
      .set({ lastSeenAt: at })
      .where(and(eq(k.targetId, targetId), eq(k.region, region), inArray(k.keyId, keyIds.slice(i, i + 5000))));
  }
}

/** Drops keys a complete listing no longer returned: they were deleted in KMS. */
export async function removeUnseen(db: Db, targetId: string, region: string, listingStartedAt: Date): Promise<number> {
  const removed = await db
    .delete(k)
    .where(and(eq(k.targetId, targetId), eq(k.region, region), lt(k.lastSeenAt, listingStartedAt)))
    .returning({ keyId: k.keyId });
  return removed.length;
}

/** Writes the aliases of every EXTERNAL key in the Region in one statement. */
export async function applyAliases(db: Db, targetId: string, region: string, aliases: Map<string, string[]>): Promise<void> {
  const external = await db
    .select({ keyId: k.keyId, aliases: k.aliases })
    .from(k)
    .where(and(eq(k.targetId, targetId), eq(k.region, region), eq(k.origin, "EXTERNAL")));
  const changed = external
    .map((row) => ({ key_id: row.keyId, aliases: aliases.get(row.keyId) ?? [] }))
    .filter((row, i) => row.aliases.join("\n") !== (external[i]?.aliases ?? []).join("\n"));
  if (changed.length === 0) return;
  await db.execute(sql`
    UPDATE inventory_keys AS k SET aliases = v.aliases
    FROM jsonb_to_recordset(${JSON.stringify(changed)}::jsonb) AS v(key_id text, aliases text[])
    WHERE k.target_id = ${targetId} AND k.region = ${region} AND k.key_id = v.key_id`);
}

// --- refresh bookkeeping and leases ----------------------------------------------------------------------

/**
 * Takes the refresh lease for a target/Region unless another instance holds a live one. A conditional
 * UPDATE decides it in the database, so two instances never both win.
 */
export async function acquireLease(db: Db, targetId: string, region: string, owner: string, at: Date, leaseMs: number): Promise<boolean> {
  await db.insert(r).values({ targetId, region, updatedAt: at }).onConflictDoNothing();
  const taken = await db
    .update(r)
    .set({
      leaseOwner: owner,
      leaseUntil: new Date(at.getTime() + leaseMs),
      status: "running",
      startedAt: at,
      finishedAt: null,
      keysListed: 0,
      keysToDescribe: 0,
      keysDescribed: 0,
      updatedAt: at,
    })
    .where(and(eq(r.targetId, targetId), eq(r.region, region), or(isNull(r.leaseUntil), lt(r.leaseUntil, at), eq(r.leaseOwner, owner))))
    .returning({ targetId: r.targetId });
  return taken.length === 1;
}

export type RefreshProgress = { keysListed: number; keysToDescribe: number; keysDescribed: number };

export async function recordProgress(db: Db, targetId: string, region: string, owner: string, progress: RefreshProgress, at: Date, leaseMs: number) {
  await db
    .update(r)
    .set({ ...progress, updatedAt: at, leaseUntil: new Date(at.getTime() + leaseMs) })
    .where(and(eq(r.targetId, targetId), eq(r.region, region), eq(r.leaseOwner, owner)));
}

export async function finishRefresh(
  db: Db,
  targetId: string,
  region: string,
  owner: string,
  at: Date,
  outcome: ({ ok: true; externalKeys: number } | { ok: false; errorCode: string; errorMessage: string }) & RefreshProgress,
) {
  await db
    .update(r)
    .set({
      status: outcome.ok ? "succeeded" : "failed",
      finishedAt: at,
      keysListed: outcome.keysListed,
      keysToDescribe: outcome.keysToDescribe,
      keysDescribed: outcome.keysDescribed,
      ...(outcome.ok
        ? { lastSuccessAt: at, errorCode: null, errorMessage: null, externalKeys: outcome.externalKeys }
        : { errorCode: outcome.errorCode, errorMessage: outcome.errorMessage }),
      leaseOwner: null,
      leaseUntil: null,
      updatedAt: at,
    })
    .where(and(eq(r.targetId, targetId), eq(r.region, region), eq(r.leaseOwner, owner)));
}

export type RefreshStatus = {
  targetId: string;
  region: string;
  status: "idle" | "running" | "succeeded" | "failed";
  startedAt: Date | null;
  finishedAt: Date | null;
  lastSuccessAt: Date | null;
  errorCode: string | null;
  errorMessage: string | null;
  keysListed: number;
  keysToDescribe: number;
  keysDescribed: number;
  externalKeys: number;
};

export async function refreshStatuses(db: Db): Promise<RefreshStatus[]> {
  return db
    .select({
      targetId: r.targetId,
      region: r.region,
      status: r.status,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      lastSuccessAt: r.lastSuccessAt,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      keysListed: r.keysListed,
      keysToDescribe: r.keysToDescribe,
      keysDescribed: r.keysDescribed,
      externalKeys: r.externalKeys,
    })
    .from(r)
    .orderBy(asc(r.targetId), asc(r.region));
}

/** Planner statistics for the inventory tables (see updatePlannerStatistics in ./index). */
export async function analyzeInventory(db: Db): Promise<void> {
  await db.execute(sql`ANALYZE inventory_keys, inventory_material_summaries, schedule_facts`);
}
