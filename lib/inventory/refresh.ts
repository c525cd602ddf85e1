import "server-only";
import { appendAuditStandalone } from "@/lib/audit";
import type { Db } from "@/lib/db";
import { driftChecker } from "@/lib/drift/check";
import { logInternalError } from "@/lib/errors/internal";
import { isAwsFailure, isKmsError, toKmsError, type KmsAccess } from "@/lib/kms";
import { describeKey, listAllAliases, listKeyMaterial, listKeysPage, type KeyMaterialEntry, type KeyMetadata } from "@/lib/kms/operations";
import { syncScheduleFacts } from "@/lib/schedules/facts";
import { hasMaterialHistory, needsMaterialSummary, summariseMaterial, summarisedMaterial, upsertMaterialSummaries, type MaterialSummary } from "./material-summary";
import { ThrottleAwarePool } from "./pool";
import {
  acquireLease,
  applyAliases,
  finishRefresh,
  knownKeys,
  listExternalKeys,
  markSeen,
  recordProgress,
  removeUnseen,
  upsertDescribed,
  type KnownKey,
  type RefreshProgress,
} from "./queries";

export type RefreshDeps = {
  db: Db;
  kms: KmsAccess;
  now: () => Date;
  /** Names this process in the lease, so a second instance can tell the lease is not its own. */
  instanceId: string;
  describeConcurrency: number;
  /** How long a lease lasts without progress before another instance may take over (default 2 minutes). */
  leaseMs?: number;
};

export type RegionOutcome =
  | { targetId: string; region: string; status: "succeeded"; progress: RefreshProgress; externalKeys: number; removed: number }
  | { targetId: string; region: string; status: "failed"; progress: RefreshProgress; errorCode: string; errorMessage: string }
  | { targetId: string; region: string; status: "skipped" };

const WRITE_BATCH = 250;

/**
 * Refreshes one target/Region: pages ListKeys and, while the pages arrive, describes
 * only keys never seen and keys known to be EXTERNAL (origin never changes, so a key
 * once known to be anything else is never described again). Aliases are listed
 * alongside. Progress is written as it goes so pages can show it.
 */
export async function refreshRegion(deps: RefreshDeps, targetId: string, region: string): Promise<RegionOutcome> {
  const leaseMs = deps.leaseMs ?? 120_000;
  const startedAt = deps.now();
  if (!(await acquireLease(deps.db, targetId, region, deps.instanceId, startedAt, leaseMs))) {
    return { targetId, region, status: "skipped" };
  }

  const client = deps.kms.kms(targetId, region, { kind: "service" });
  const progress: RefreshProgress = { keysListed: 0, keysToDescribe: 0, keysDescribed: 0 };
  let batch: KeyMetadata[] = [];
  let summaries: Array<MaterialSummary & { keyId: string }> = [];
  let writes: Promise<void> = Promise.resolve();
  // The cache as this refresh found it: a key someone re-read since (after an import) keeps that newer answer.
  let known = new Map<string, KnownKey>();
  // Which material each key's stored summary describes (material-summary.ts): read again only when it changed.
  let summarised = new Map<string, string>();
  const flush = () => {
    if (batch.length === 0) return;
    const rows = batch;
    const material = summaries;
    batch = [];
    summaries = [];
    writes = writes.then(async () => {
      await upsertDescribed(deps.db, targetId, region, rows, deps.now(), { unlessChangedSince: known });
      await upsertMaterialSummaries(deps.db, targetId, region, material, deps.now());
      await recordProgress(deps.db, targetId, region, deps.instanceId, progress, deps.now(), leaseMs);
    });
    if (drift.pending >= WRITE_BATCH) recordDrift();
  };
  // The drift check's findings and watch rows, written a batch of keys at a time in the same chain as the rows.
  const recordDrift = () => {
    writes = writes.then(() =>
      drift.record().then(
        () => undefined,
        // The keys of a batch that could not be recorded are checked again next time; the inventory is not held back.
        (error: unknown) => void driftFailures.push(error),
      ),
    );
  };

  const isThrottle = (error: unknown) => isKmsError(error) && error.code === "throttled";
  // The drift check's calls (ListKeyRotations, the trail) run in the same pool task as the key's DescribeKey:
  // bounded by the same concurrency, and backing off with it when KMS throttles.
  const drift = driftChecker({ db: deps.db, now: deps.now }, client, targetId, region);
  const driftFailures: unknown[] = [];
  const pool = new ThrottleAwarePool<string>({
    concurrency: deps.describeConcurrency,
    isThrottle,
    run: async (keyId) => {
      // Awaited before touching `batch`: flush() swaps the array, and a push evaluated before the await
      // would land in an array already handed to the database.
      const metadata = await describeKey(client, keyId);
      // One ListKeyRotations per EXTERNAL symmetric key and refresh, shared by the drift check (which must see
      // material imported but not yet current) and the material summary (written only when the current changed).
      let materials: KeyMaterialEntry[] | null = null;
      try {
        materials = hasMaterialHistory(metadata) ? await listKeyMaterial(client, metadata.arn) : null;
        await drift.observe(metadata, materials);
      } catch (error) {
        // A key the check could not read is checked again next time; the inventory itself is not held back.
        if (isThrottle(error)) throw error;
        driftFailures.push(error);
      }
      const summary = materials && needsMaterialSummary(metadata, summarised.get(keyId)) ? { keyId, ...summariseMaterial(metadata.currentKeyMaterialId!, materials) } : null;
      batch.push(metadata);
      if (summary) summaries.push(summary);
      progress.keysDescribed++;
      if (batch.length >= WRITE_BATCH) flush();
    },
  });

  try {
    known = await knownKeys(deps.db, targetId, region);
    summarised = await summarisedMaterial(deps.db, targetId, region);
    const aliases = listAllAliases(client);
    aliases.catch(() => undefined); // awaited below; this only keeps an early failure from being unhandled meanwhile

    const notDescribed: string[] = [];
    let marker: string | undefined;
    do {
      const page = await listKeysPage(client, marker);
      progress.keysListed += page.keys.length;
      for (const key of page.keys) {
        const origin = known.get(key.keyId)?.origin;
        if (origin && origin !== "EXTERNAL") {
          notDescribed.push(key.keyId);
          continue;
        }
        progress.keysToDescribe++;
        pool.push(key.keyId);
      }
      marker = page.nextMarker;
      writes = writes.then(() => recordProgress(deps.db, targetId, region, deps.instanceId, progress, deps.now(), leaseMs));
    } while (marker);

    pool.close();
    await pool.drain();
    flush();
    recordDrift();
    await writes;
    reportDriftFailures(driftFailures, targetId, region);
    await markSeen(deps.db, targetId, region, notDescribed, deps.now());
    const removed = await removeUnseen(deps.db, targetId, region, startedAt);
    await applyAliases(deps.db, targetId, region, await aliases);
    await syncScheduleFacts(deps.db, { targetId, region });

    const externalKeys = await countExternal(deps.db, targetId, region);
    await finishRefresh(deps.db, targetId, region, deps.instanceId, deps.now(), { ok: true, externalKeys, ...progress });
    return { targetId, region, status: "succeeded", progress, externalKeys, removed };
  } catch (error) {
    pool.close();
    await pool.drain().catch(() => undefined);
    await writes.catch(() => undefined);
    const failure = describeRefreshFailure(error, targetId, region);
    // The keys described before the failure are kept (below), so the schedules count them as they now are.
    await syncScheduleFacts(deps.db, { targetId, region }).catch((syncError: unknown) =>
      logInternalError("inventory", `while updating the schedule facts of ${targetId} ${region} after a failed refresh`, syncError),
    );
    // Keys described before the failure stay cached: they are correct, and the next refresh resumes from them.
    await finishRefresh(deps.db, targetId, region, deps.instanceId, deps.now(), {
      ok: false,
      errorCode: failure.code,
      errorMessage: failure.message,
      ...progress,
    }).catch(() => undefined);
    await appendAuditStandalone(deps.db, {
      action: "inventory.refresh_failed",
      actor: "system",
      targetId,
      region,
      kmsRequestId: failure.kmsRequestId ?? null,
      details: {
        code: failure.code,
        awsError: failure.awsName ?? null,
        reference: failure.reference,
        keysListed: progress.keysListed,
        keysDescribed: progress.keysDescribed,
      },
    }).catch((auditError: unknown) => logInternalError("inventory", `while auditing a failed refresh of ${targetId} ${region}`, auditError));
    return { targetId, region, status: "failed", progress, errorCode: failure.code, errorMessage: failure.message };
  }
}

/** AWS's refusal in AWS's words; Keyport's own failure (the database, a bug) logged, with its reference. */
function describeRefreshFailure(error: unknown, targetId: string, region: string) {
  if (isAwsFailure(error)) {
    const e = toKmsError(error);
    return { code: e.code, message: e.message, awsName: e.details.awsName, kmsRequestId: e.details.requestId, reference: undefined };
  }
  const reference = logInternalError("inventory", `while refreshing ${targetId} ${region}`, error);
  return {
    code: "internal",
    message: `Keyport hit an internal error (ref ${reference}) while refreshing this account and Region; the keys it had already read are kept. Refresh again; if it happens again, give your administrator the reference.`,
    awsName: undefined,
    kmsRequestId: undefined,
    reference,
  };
}

/** One line for all the keys whose drift check failed in this refresh, not one per key. */
function reportDriftFailures(failures: unknown[], targetId: string, region: string): void {
  const [first] = failures;
  if (first === undefined) return;
  const what = `the drift check of ${failures.length} key(s) in ${targetId} ${region}`;
  if (isAwsFailure(first)) console.warn(`[inventory] ${what} failed; first error: ${toKmsError(first).code}`);
  else logInternalError("inventory", `during ${what}`, first);
}

async function countExternal(db: Db, targetId: string, region: string): Promise<number> {
  const { total } = await listExternalKeys(db, { targetId, region }, { sort: "keyId", direction: "asc", page: 1, pageSize: 1 });
  return total;
}

/** Refreshes every configured target and Region in parallel; one failing Region hides nothing else. */
export async function refreshAll(deps: RefreshDeps): Promise<RegionOutcome[]> {
  const jobs = deps.kms.listTargets().flatMap((t) => t.regions.map((region) => refreshRegion(deps, t.id, region)));
  return Promise.all(jobs);
}
