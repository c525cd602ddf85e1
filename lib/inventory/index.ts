import "server-only";
import { logInternalError } from "@/lib/errors/internal";
import { randomUUID } from "node:crypto";
import { cache } from "react";
import { now } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { getDatabase, getDb, type Db } from "@/lib/db";
import { getKmsAccess, type KmsAccess } from "@/lib/kms";
import { describeKey, listKeyMaterial, type KeyMaterialEntry } from "@/lib/kms/operations";
import { syncScheduleFacts } from "@/lib/schedules/facts";
import { needsMaterialSummary, readMaterialSummary, summarisedMaterial, upsertMaterialSummaries } from "./material-summary";
import { cachedMaterialHistory, forgetMaterialHistory } from "./material-history";
import * as queries from "./queries";
import { refreshAll, type RegionOutcome } from "./refresh";

export { SORTABLE, type KeyFilter, type KeyRow, type RefreshStatus, type SortKey } from "./queries";
export { refreshAll, refreshRegion, type RefreshDeps, type RegionOutcome } from "./refresh";

/**
 * The key inventory: pages read the cache (never KMS); refreshes run in the
 * background, on demand and on an interval, one at a time per process, and one
 * instance at a time per target/Region (a lease in the database).
 */

const instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;

const state = globalThis as typeof globalThis & {
  __keyportInventory?: { running?: Promise<RegionOutcome[]>; timer?: NodeJS.Timeout };
  __keyportFacets?: { value: { states: string[]; keySpecs: string[] } | undefined; until: number };
};
const inventory = (state.__keyportInventory ??= {});

async function deps() {
  return {
    db: await getDb(),
    kms: getKmsAccess(),
    now,
    instanceId,
    describeConcurrency: getConfig().inventory.describeConcurrency,
  };
}

/** Starts a refresh of every target and Region unless one is already running in this process. */
export function startRefresh(): { started: boolean } {
  if (inventory.running) return { started: false };
  inventory.running = deps()
    .then(async (d) => {
      const outcomes = await refreshAll(d);
      forgetFacets();
      if (outcomes.some((o) => o.status === "succeeded")) {
        await updatePlannerStatistics().catch((error: unknown) => logInternalError("inventory", "while updating the planner's statistics", error));
      }
      return outcomes;
    })
    .catch((error: unknown) => {
      logInternalError("inventory", "while starting a refresh", error);
      return [];
    })
    .finally(() => {
      inventory.running = undefined;
    });
  return { started: true };
}

/**
 * A refresh can add or change tens of thousands of rows, and until the planner has statistics for them it
 * plans for a handful: it scans every key for a search the trigram index answers in milliseconds, and nests
 * loops where a hash join is ten times cheaper. PGlite runs no autovacuum at all; PostgreSQL's comes a minute
 * or more later, or never where it is switched off. So every refresh that wrote anything ends with an ANALYZE
 * of the tables it wrote (tens of milliseconds). Where Keyport's role does not own them, PostgreSQL skips them
 * with a warning and autovacuum remains the only source of statistics.
 */
async function updatePlannerStatistics(): Promise<void> {
  const database = await getDatabase();
  await queries.analyzeInventory(database.db);
}

/** Refreshes now and waits (tests, benchmarks, the first refresh of a demo). */
export async function refreshNow(): Promise<RegionOutcome[]> {
  if (inventory.running) await inventory.running;
  startRefresh();
  return (await inventory.running) ?? [];
}

/** Called once at server start: a first refresh, then one every configured interval. */
export function scheduleRefreshes(): void {
  const minutes = getConfig().inventory.refreshIntervalMinutes;
  if (inventory.timer || getConfig().targets.length === 0) return;
  startRefresh();
  if (minutes > 0) {
    inventory.timer = setInterval(() => startRefresh(), minutes * 60_000);
    inventory.timer.unref();
  }
}

export type TargetRegionStatus = queries.RefreshStatus & { targetName: string; accountId: string };

/** Every configured target/Region with its refresh state; ones never refreshed appear as idle. */
export async function inventoryStatus(): Promise<{ running: boolean; regions: TargetRegionStatus[] }> {
  const stored = await queries.refreshStatuses(await getDb());
  const byKey = new Map(stored.map((s) => [`${s.targetId}|${s.region}`, s]));
  const regions = getConfig().targets.flatMap((t) =>
    t.regions.map((region) => ({
      ...(byKey.get(`${t.id}|${region}`) ?? {
        targetId: t.id,
        region,
        status: "idle" as const,
        startedAt: null,
        finishedAt: null,
        lastSuccessAt: null,
        errorCode: null,
        errorMessage: null,
        keysListed: 0,
        keysToDescribe: 0,
        keysDescribed: 0,
        externalKeys: 0,
      }),
      targetName: t.name,
      accountId: t.accountId,
    })),
  );
  return { running: !!inventory.running || regions.some((r) => r.status === "running"), regions };
}

/** An entry on the key list: one key, or a multi-Region key with every Region of its set (primary first). */
export type KeyEntry = { key: queries.KeyRow; regions: queries.KeyRow[] };

/** The key list, one entry per key or multi-Region set, paged; `total` counts entries. */
export async function listKeys(
  filter: queries.KeyFilter,
  options: { sort: queries.SortKey; direction: "asc" | "desc"; page: number; pageSize: number },
): Promise<{ entries: KeyEntry[]; total: number }> {
  const db = await getDb();
  const { rows, total } = await queries.listKeyEntries(db, filter, options);
  const sets = await queries.relatedRegions(db, rows);
  return { entries: rows.map((key) => ({ key, regions: key.multiRegion ? (sets.get(`${key.targetId}/${key.keyId}`) ?? [key]) : [] })), total };
}

/** Every Region of a multi-Region key in the inventory, primary first; empty for a single-Region key. */
export async function keyRegions(key: queries.KeyRow): Promise<queries.KeyRow[]> {
  if (!key.multiRegion) return [];
  return (await queries.relatedRegions(await getDb(), [key])).get(`${key.targetId}/${key.keyId}`) ?? [key];
}

/**
 * The states and key specs present, for the key list's filter menus: kept for 15 seconds, and dropped when this
 * instance refreshes or re-reads a key. Reading them took a scan of every EXTERNAL key on each page view (15 ms
 * of the key list's 100 at 20,000 keys on PGlite); a menu a few seconds behind another instance's refresh
 * offers one option too many or too few, and the list itself is always current.
 */
const FACETS_TTL_MS = 15_000;
const facetsCache = (state.__keyportFacets ??= { value: undefined, until: 0 });

export async function keyFacets(): Promise<{ states: string[]; keySpecs: string[] }> {
  const cached = facetsCache.value;
  if (cached && Date.now() < facetsCache.until) return cached;
  const value = await queries.facetValues(await getDb());
  facetsCache.value = value;
  facetsCache.until = Date.now() + FACETS_TTL_MS;
  return value;
}

function forgetFacets(): void {
  facetsCache.until = 0;
}

/** ARNs of the keys carrying an alias (see queries.keyArnsWithAlias), for filters that name keys by alias. */
export async function keyArnsForAlias(alias: string): Promise<string[]> {
  return queries.keyArnsWithAlias(await getDb(), alias);
}

/** One EXTERNAL key from the cache, memoized for the current request (layout and page share the lookup). */
export const getKey = cache(async (targetId: string, region: string, keyId: string) => {
  return queries.getExternalKey(await getDb(), targetId, region, keyId);
});

/**
 * The key material history KMS reports for a symmetric key (ListKeyRotations, ALL_KEY_MATERIAL), read live
 * as the inventory's service session. Only for a key the cache knows as EXTERNAL: the caller cannot make
 * Keyport query arbitrary ARNs.
 */
export async function keyMaterialHistory(
  targetId: string,
  region: string,
  keyId: string,
  deps?: { db: Db; kms: Pick<KmsAccess, "kms"> },
) {
  const key = deps ? await queries.getExternalKey(deps.db, targetId, region, keyId) : await getKey(targetId, region, keyId);
  if (!key) return null;
  if (key.keySpec !== "SYMMETRIC_DEFAULT") return { key, entries: [] as KeyMaterialEntry[], supported: false as const };
  const client = (deps?.kms ?? getKmsAccess()).kms(targetId, region, { kind: "service" });
  // Briefly remembered per key (material-history.ts): every view of a key page would otherwise call KMS.
  const entries = await cachedMaterialHistory(targetId, region, keyId, () => listKeyMaterial(client, key.arn));
  return { key, entries, supported: true as const };
}

/**
 * Re-reads one key (DescribeKey as the inventory's service session) and updates its cache row, so that a
 * page shows what an import or a deletion of key material just changed without waiting for the next full
 * refresh. Aliases are kept as the last refresh joined them. `deps` is the test seam; by default the
 * process-wide database and KMS access.
 */
export async function refreshKey(
  targetId: string,
  region: string,
  keyId: string,
  deps?: { db: Db; kms: Pick<KmsAccess, "kms">; now?: () => Date },
): Promise<queries.KeyRow | null> {
  // Keyport has just changed this key's material (or tried to): its remembered history is no longer true.
  forgetMaterialHistory(targetId, region, keyId);
  const db = deps?.db ?? (await getDb());
  const kms = deps?.kms ?? getKmsAccess();
  const client = kms.kms(targetId, region, { kind: "service" });
  const metadata = await describeKey(client, keyId);
  const at = (deps?.now ?? now)();
  await queries.upsertDescribed(db, targetId, region, [metadata], at);
  forgetFacets();
  // The key-age report's facts follow an import or rotation at once, not at the next refresh.
  if (needsMaterialSummary(metadata, (await summarisedMaterial(db, targetId, region, keyId)).get(keyId))) {
    await upsertMaterialSummaries(db, targetId, region, [await readMaterialSummary(client, metadata)], at);
  }
  await syncScheduleFacts(db, { targetId, region, keyId });
  return queries.getExternalKey(db, targetId, region, keyId);
}
