import "server-only";
import type { KMSClient } from "@aws-sdk/client-kms";
import { appendAudit, SYSTEM_ACTOR } from "@/lib/audit";
import type { Db } from "@/lib/db";
import { keyHref } from "@/lib/inventory/key-href";
import { listKeyTags, type KeyMaterialEntry, type KeyMetadata } from "@/lib/kms/operations";
import { enqueueNotification } from "@/lib/notify";
import { DRIFT_KIND_ADVICE, DRIFT_KIND_LABELS } from "./labels";
import * as queries from "./queries";
import { baselineOf, findDrift, type FindingDraft, type Observation, type TrailEvent, type Watch } from "./rules";

/**
 * The drift check the inventory refresh runs on every EXTERNAL key it describes: KMS's answer (DescribeKey,
 * and ListKeyRotations for symmetric keys) against Keyport's trail. New findings are recorded once each, with
 * their audit event and notification in the same transaction.
 *
 * In two steps, so that a refresh sends a few statements per batch of keys rather than several per key (on
 * the embedded PGlite every statement runs on the same event loop as the KMS calls): `observe` runs in the
 * key's pool task and makes the only KMS call the check may need; `record` then checks a batch of observed
 * keys against the trail as it is by then, and writes what they show in one transaction.
 */

/**
 * The tag that puts a key under Keyport's control before Keyport has touched it: material it holds when
 * Keyport first checks it is then drift, not adopted as it was found.
 */
export const CONTROL_TAG = { key: "keyport:import-control", value: "dual-control" } as const;

export type DriftCheckDeps = { db: Db; now: () => Date };

// 200 was the page's maximum when the trail was read key by key: a key is imported or deleted far fewer times.
const TRAIL_PER_KEY = 200;

/** Keyport's own imports and deletions of each key's material, oldest first. */
async function keyTrails(db: Db, keyArns: string[]): Promise<Map<string, TrailEvent[]>> {
  const rows = await queries.keyTrails(db, keyArns, TRAIL_PER_KEY);
  return new Map(
    [...rows].map(([keyArn, events]) => [
      keyArn,
      events.map((event) => {
        const validTo = event.details.validTo;
        return {
          seq: event.seq,
          action: event.action as TrailEvent["action"],
          keyMaterialId: typeof event.details.keyMaterialId === "string" ? event.details.keyMaterialId : null,
          validTo: typeof validTo === "string" ? new Date(validTo) : validTo === null ? null : undefined,
        };
      }),
    ]),
  );
}

type Observed = {
  metadata: KeyMetadata;
  observation: Observation;
  /** The key's watch row as the refresh found it; undefined the first time Keyport checks the key. */
  known: Watch | undefined;
  /** Whether the key carries CONTROL_TAG; undefined where it was not asked (not needed as things looked then). */
  tagged: boolean | undefined;
  at: Date;
};

export type DriftChecker = {
  /** `materials`: the key's ListKeyRotations (ALL_KEY_MATERIAL) as the refresh read it; null for keys KMS lists none for. */
  observe(metadata: KeyMetadata, materials: KeyMaterialEntry[] | null): Promise<void>;
  /** How many observed keys wait for `record`. */
  readonly pending: number;
  /** Checks the keys observed so far and records their findings and watch rows; answers how many findings are new. */
  record(): Promise<number>;
};

/**
 * A checker for one target/Region, made once per refresh: it reads the Region's watch rows, and which keys
 * have a trail at all, once. `observe` throws what KMS throws, so the refresh's pool backs off on throttling
 * as it does for DescribeKey.
 */
export function driftChecker(deps: DriftCheckDeps, client: KMSClient, targetId: string, region: string): DriftChecker {
  const watched = queries.watchedKeys(deps.db, targetId, region);
  const traced = queries.keysWithTrail(deps.db, targetId, region);
  // Awaited by each check; this only keeps an early failure from being unhandled meanwhile.
  watched.catch(() => undefined);
  traced.catch(() => undefined);
  let observed: Observed[] = [];

  return {
    async observe(metadata, materials) {
      if (metadata.origin !== "EXTERNAL") return;
      const observation: Observation = { keyState: metadata.keyState, validTo: metadata.validTo, materials };
      const known = (await watched).get(metadata.keyId);
      let tagged: boolean | undefined;
      // Asked only when there is something to adopt and no trail makes the key Keyport's: the first time only.
      if (!known && !(await traced).has(metadata.arn) && baselineOf(observation, false).length > 0) {
        tagged = (await listKeyTags(client, metadata.arn)).get(CONTROL_TAG.key) === CONTROL_TAG.value;
      }
      observed.push({ metadata, observation, known, tagged, at: deps.now() });
    },

    get pending() {
      return observed.length;
    },

    async record() {
      const batch = observed;
      observed = [];
      if (batch.length === 0) return 0;
      // Busy first, the trail second (see busyKeys): both read after KMS was.
      const busy = await queries.busyKeys(deps.db, targetId, region, batch.map((o) => o.metadata.keyId));
      const checked = batch.filter((o) => !busy.has(o.metadata.keyId));
      const trails = await keyTrails(deps.db, checked.map((o) => o.metadata.arn));

      const watches: queries.WatchWrite[] = [];
      const found: Array<{ observed: Observed; draft: FindingDraft }> = [];
      for (const o of checked) {
        const trail = trails.get(o.metadata.arn) ?? [];
        let watch: Watch;
        if (o.known) watch = o.known;
        else {
          const material = baselineOf(o.observation, false);
          // Material to adopt and no trail, yet the tag was not asked (a trail the up-front read showed is gone):
          // checked at the next refresh rather than adopted without knowing whether the key is Keyport's.
          if (trail.length === 0 && material.length > 0 && o.tagged === undefined) continue;
          const controlled = trail.length > 0 || o.tagged === true;
          watch = { baseline: controlled ? [] : material, lastState: o.metadata.keyState, observedAt: o.at };
        }
        const drafts = findDrift(o.observation, trail, watch, o.at);
        if (!o.known || o.known.lastState !== o.metadata.keyState) {
          watches.push({ keyId: o.metadata.keyId, watch: { ...watch, lastState: o.metadata.keyState }, at: o.at, isNew: !o.known });
        }
        for (const draft of drafts) found.push({ observed: o, draft });
      }
      if (watches.length === 0 && found.length === 0) return 0;

      return deps.db.transaction(async (tx) => {
        await queries.saveWatches(tx, targetId, region, watches);
        let recorded = 0;
        for (const { observed: o, draft } of found) {
          const key = { targetId, region, keyId: o.metadata.keyId };
          const id = await queries.insertFinding(tx, { ...key, keyArn: o.metadata.arn }, draft, o.at);
          if (!id) continue;
          recorded++;
          await appendAudit(tx, {
            action: "drift.found",
            actor: SYSTEM_ACTOR,
            at: o.at,
            targetId,
            region,
            keyArn: o.metadata.arn,
            details: { findingId: id, kind: draft.kind, fingerprint: draft.fingerprint, keyMaterialId: draft.keyMaterialId, ...draft.details },
          });
          await enqueueNotification(tx, notification(id, draft, o.metadata, key, o.at));
        }
        return recorded;
      });
    },
  };
}

function notification(id: string, draft: FindingDraft, metadata: KeyMetadata, key: { targetId: string; region: string; keyId: string }, at: Date) {
  const fields: Record<string, string> = { Finding: DRIFT_KIND_LABELS[draft.kind], Account: metadata.accountId, Region: key.region, "Key state": metadata.keyState };
  if (draft.keyMaterialId) fields["Key material"] = draft.keyMaterialId;
  return {
    kind: "drift.found" as const,
    dedupeKey: `drift.found:${id}`,
    summary: `${DRIFT_KIND_LABELS[draft.kind]} on key ${key.keyId} (${metadata.accountId}, ${key.region}). ${DRIFT_KIND_ADVICE[draft.kind]}`,
    keyArn: metadata.arn,
    targetId: key.targetId,
    region: key.region,
    path: keyHref(key),
    fields,
    at,
  };
}
