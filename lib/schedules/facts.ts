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
export const days = (n: SQL | number) => sql`(${n} * interval '86400 seconds')`;

/** Expiring material under a policy with a reimport part (dueBucket in ./policy.ts applies). */
const reimports = sql`(${k.expirationModel} = 'KEY_MATERIAL_EXPIRES' AND ${k.validTo} IS NOT NULL AND ${reimportDays} IS NOT NULL)`;
/** Only symmetric keys take new material on a schedule (setPolicy refuses the others a key's own). */
const rotates = sql`(${k.keySpec} = 'SYMMETRIC_DEFAULT' AND ${everyDays} IS NOT NULL)`;

/**
 * When Keyport last brought new material into each key (importsOfKeys' lastNewMaterialAt): one aggregate over
 * the imports, joined by key, rather than a lookup per key.
 */
const lastNew = sql`(SELECT ${r.targetId} AS target_id, ${r.region} AS region, ${r.keyId} AS key_id, max(${r.closedAt}) AS at FROM ${r}
  WHERE ${r.state} = 'imported' AND (${r.kind} = 'rotate' OR (${r.kind} = 'import' AND ${r.importType} = 'NEW_KEY_MATERIAL'))
  GROUP BY 1, 2, 3) AS last_new`;
const lastNewJoin = sql`last_new.target_id = ${k.targetId} AND last_new.region = ${k.region} AND last_new.key_id = ${k.keyId}`;
const since = sql`greatest(${s.currentSince}, last_new.at)`;
const summaryJoin = and(eq(s.targetId, k.targetId), eq(s.region, k.region), eq(s.keyId, k.keyId));

/**
 * Where a rotation stands, but for the clock, in the order ./rotations.ts `storedRotations` and ./policy.ts
 * `rotationStatus` decide it: blocked for the key itself (multi-Region, not enabled), unread while the stored
 * summary is not of the current material, blocked when the material's age is unknown, stopped at the limit,
 * else timed: due from `rotate_at` on, scheduled before.
 */
const rotation = sql<string>`CASE
    WHEN coalesce(${k.multiRegion}, false) OR ${k.keyState} IS DISTINCT FROM 'Enabled' THEN 'blocked'
    WHEN ${s.keyMaterialId} IS NULL OR ${k.currentKeyMaterialId} IS NULL OR ${s.keyMaterialId} <> ${k.currentKeyMaterialId} THEN 'unread'
    WHEN ${since} IS NULL THEN 'blocked'
    WHEN ${s.onDemandRotations} >= ${ROTATION_LIMIT} THEN 'limit_reached'
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
      .leftJoin(s, summaryJoin)
      .leftJoin(lastNew, lastNewJoin)
      .where(and(eq(k.origin, "EXTERNAL"), inScope(k, scope), sql`(${reimports} OR ${rotates})`));
    await tx.execute(
      sql`INSERT INTO ${f} (target_id, region, key_id, policy_source, reimport_due_at, reimport_days_before, rotation, rotate_at, rotate_every_days) ${rows}`,
    );
  });
}
