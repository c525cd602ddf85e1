import "server-only";
import { alias } from "drizzle-orm/pg-core";
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { tables } from "@/lib/db";
import { ADVISORY_LOCK } from "@/lib/db/locks";
import { ROTATION_LIMIT } from "./policy";

/**
 * The schedule facts (the schedule_facts table): for every EXTERNAL key a schedule governs, when its reimport
 * falls due and where its scheduled rotation stands, as the pure rules of ./policy.ts and ./rotations.ts decide
 * them, minus the comparison with the clock. The schedules page counts and pages these rows; working the same
 * answer out per view joined every EXTERNAL key with its summary, its policies and Keyport's imports six times
 * over, which cost more than the whole page may at 20,000 keys.
 *
 * The facts depend on the key (inventory refresh, refreshKey), its material summary (the same two), the
 * governing policy (setPolicy) and Keyport's own imports of new material (an import's completion), and each of
 * those writers brings them up to date for what it changed with `syncScheduleFacts`. The server also syncs the
 * whole estate once at start, so facts are right after an upgrade or a crash between a write and its sync.
 */

const k = tables.inventoryKeys;
const f = tables.scheduleFacts;
const own = alias(tables.schedulePolicies, "own_policy");
const account = alias(tables.schedulePolicies, "account_policy");
const s = tables.inventoryMaterialSummaries;
const r = tables.importRequests;

/** A whole policy governs: the key's own when it has one, else its account's (effectivePolicy in ./policy.ts). */
const hasOwn = sql`${own.id} IS NOT NULL`;
const reimportDays = sql<number | null>`CASE WHEN ${hasOwn} THEN ${own.reimportDaysBefore} ELSE ${account.reimportDaysBefore} END`;
const everyDays = sql<number | null>`CASE WHEN ${hasOwn} THEN ${own.rotateEveryDays} ELSE ${account.rotateEveryDays} END`;
const source = sql<string>`CASE WHEN ${hasOwn} THEN 'key' ELSE 'target' END`;
const ownJoin = eq(own.id, sql`'key:' || ${k.targetId} || '/' || ${k.region} || '/' || ${k.keyId}`);
const accountJoin = eq(account.id, sql`'target:' || ${k.targetId}`);

/** `n` whole days as an interval of seconds: no calendar days, so no daylight-saving hour creeps in. */
const days = (n: SQL | number) => sql`(${n} * interval '86400 seconds')`;

/** Expiring material under a policy with a reimport part (dueBucket in ./policy.ts applies). */
const reimports = sql`(${k.expirationModel} = 'KEY_MATERIAL_EXPIRES' AND ${k.validTo} IS NOT NULL AND ${reimportDays} IS NOT NULL)`;
/** Only symmetric keys take new material on a schedule (setPolicy refuses the others a key's own). */
const rotates = sql`(${k.keySpec} = 'SYMMETRIC_DEFAULT' AND ${everyDays} IS NOT NULL)`;

/**
 * When Keyport last brought new material into the key (importsOfKeys' lastNewMaterialAt): a lookup per key on
 * the requests' key index. An aggregate over all imports joined by key is cheaper with planner statistics, but
 * a first refresh has none yet, and the planner then looped over the aggregate for every key: 7 s for 10,000
 * keys and 667 imports, where the lookups take milliseconds whatever the statistics say. (The state is compared
 * as text so that, without statistics, the planner cannot take the state index instead and scan every
 * imported request for each key.)
 */
const lastNew = sql`LATERAL (SELECT max(${r.closedAt}) AS at FROM ${r}
  WHERE ${r.targetId} = ${k.targetId} AND ${r.region} = ${k.region} AND ${r.keyId} = ${k.keyId} AND ${r.state}::text = 'imported'
    AND (${r.kind} = 'rotate' OR (${r.kind} = 'import' AND ${r.importType} = 'NEW_KEY_MATERIAL'))) AS last_new`;
/**
 * The key's stored material summary, also looked up per key (LIMIT 1 keeps the lookup a lookup): joined plainly,
 * a sync of one Region without statistics let the planner match the Region's constants against the summaries'
 * index and filter every summary of the Region for each key, 8 s for 10,000 keys.
 */
const summary = sql`LATERAL (SELECT ${s.keyMaterialId} AS key_material_id, ${s.currentSince} AS current_since, ${s.onDemandRotations} AS on_demand_rotations
  FROM ${s} WHERE ${s.targetId} = ${k.targetId} AND ${s.region} = ${k.region} AND ${s.keyId} = ${k.keyId} LIMIT 1) AS summary`;
const since = sql`greatest(summary.current_since, last_new.at)`;

/**
 * Where a rotation stands, but for the clock, in the order ./rotations.ts `storedRotations` and ./policy.ts
 * `rotationStatus` decide it: blocked for the key itself (multi-Region, not enabled), unread while the stored
 * summary is not of the current material, blocked when the material's age is unknown, stopped at the limit,
 * else timed: due from `rotate_at` on, scheduled before.
 */
const rotation = sql<string>`CASE
    WHEN coalesce(${k.multiRegion}, false) OR ${k.keyState} IS DISTINCT FROM 'Enabled' THEN 'blocked'
    WHEN summary.key_material_id IS NULL OR ${k.currentKeyMaterialId} IS NULL OR summary.key_material_id <> ${k.currentKeyMaterialId} THEN 'unread'
    WHEN ${since} IS NULL THEN 'blocked'
    WHEN summary.on_demand_rotations >= ${ROTATION_LIMIT} THEN 'limit_reached'
    ELSE 'timed' END`;

/** Which keys a sync rewrites: the whole estate, an account, an account's Region, or one key. */
export type FactsScope = { targetId?: string; region?: string; keyId?: string };

function inScope(table: { targetId: typeof k.targetId | typeof f.targetId; region: typeof k.region | typeof f.region; keyId: typeof k.keyId | typeof f.keyId }, scope: FactsScope) {
  return and(
    scope.targetId === undefined ? undefined : eq(table.targetId, scope.targetId),
    scope.region === undefined ? undefined : eq(table.region, scope.region),
    scope.keyId === undefined ? undefined : eq(table.keyId, scope.keyId),
  );
}

/**
 * Rewrites the facts of the keys in `scope` from what is stored now: deletes them and inserts them again, in
 * one transaction (a savepoint inside the caller's). Syncs run one at a time across instances (a transaction
 * advisory lock), so a sync that read a policy before another transaction changed it cannot overwrite the
 * facts that transaction wrote after it. Call it after the writes it follows, in the same transaction where
 * there is one.
 */
export async function syncScheduleFacts(db: Db | Tx, scope: FactsScope = {}): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ADVISORY_LOCK.scheduleFacts})`);
    await tx.delete(f).where(inScope(f, scope));
    const rows = tx
      .select({
        targetId: k.targetId,
        region: k.region,
        keyId: k.keyId,
        source,
        reimportDueAt: sql`CASE WHEN ${reimports} THEN ${k.validTo} - ${days(reimportDays)} END`,
        reimportDays: sql`CASE WHEN ${reimports} THEN ${reimportDays} END`,
        rotation: sql`CASE WHEN ${rotates} THEN ${rotation} END`,
        rotateAt: sql`CASE WHEN ${rotates} THEN ${since} + ${days(everyDays)} END`,
        everyDays: sql`CASE WHEN ${rotates} THEN ${everyDays} END`,
      })
      .from(k)
      .leftJoin(own, ownJoin)
      .leftJoin(account, accountJoin)
      .leftJoin(summary, sql`true`)
      .leftJoin(lastNew, sql`true`)
      .where(and(eq(k.origin, "EXTERNAL"), inScope(k, scope), sql`(${reimports} OR ${rotates})`));
    await tx.execute(
      sql`INSERT INTO ${f} (target_id, region, key_id, policy_source, reimport_due_at, reimport_days_before, rotation, rotate_at, rotate_every_days) ${rows}`,
    );
  });
}
