import "server-only";
import type { KMSClient } from "@aws-sdk/client-kms";
import { appendAudit, listAuditEvents, SYSTEM_ACTOR } from "@/lib/audit";
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
 */

/**
 * The tag that puts a key under Keyport's control before Keyport has touched it: material it holds when
 * Keyport first checks it is then drift, not adopted as it was found.
 */
export const CONTROL_TAG = { key: "keyport:import-control", value: "dual-control" } as const;

export type DriftCheckDeps = { db: Db; now: () => Date };

/** Keyport's own imports and deletions of the key's material, oldest first. */
async function keyTrail(db: Db, keyArn: string): Promise<TrailEvent[]> {
  // 200 is the page's maximum: a key is imported or deleted far fewer times than that in practice.
  const { events } = await listAuditEvents(db, { keyArn, action: ["import.imported", "material.deleted"] }, { limit: 200 });
  return events.reverse().map((event) => {
    const validTo = event.details.validTo;
    return {
      seq: event.seq,
      action: event.action as TrailEvent["action"],
      keyMaterialId: typeof event.details.keyMaterialId === "string" ? event.details.keyMaterialId : null,
      validTo: typeof validTo === "string" ? new Date(validTo) : validTo === null ? null : undefined,
    };
  });
}

/**
 * A checker for one target/Region, made once per refresh (it reads the Region's watch rows once). Throws
 * what KMS throws, so the refresh's pool backs off on throttling as it does for DescribeKey.
 */
export function driftChecker(deps: DriftCheckDeps, client: KMSClient, targetId: string, region: string) {
  const watched = queries.watchedKeys(deps.db, targetId, region);
  watched.catch(() => undefined); // awaited by each check; this only keeps an early failure from being unhandled meanwhile

  /** `materials`: the key's ListKeyRotations (ALL_KEY_MATERIAL) as the refresh read it; null for keys KMS lists none for. */
  return async function checkKey(metadata: KeyMetadata, materials: KeyMaterialEntry[] | null): Promise<number> {
    if (metadata.origin !== "EXTERNAL") return 0;
    const key = { targetId, region, keyId: metadata.keyId };
    if (await queries.keyBusy(deps.db, key)) return 0;
    const observation: Observation = {
      keyState: metadata.keyState,
      validTo: metadata.validTo,
      materials,
    };
    const trail = await keyTrail(deps.db, metadata.arn);
    const now = deps.now();
    const known = (await watched).get(metadata.keyId);
    let watch: Watch;
    if (known) watch = known;
    else {
      const found = baselineOf(observation, false);
      // Asked only when there is something to adopt: one call per key, the first time only.
      const controlled = trail.length > 0 || (found.length > 0 && (await listKeyTags(client, metadata.arn)).get(CONTROL_TAG.key) === CONTROL_TAG.value);
      watch = { baseline: controlled ? [] : found, lastState: metadata.keyState, observedAt: now };
    }
    const drafts = findDrift(observation, trail, watch, now);
    const stateChanged = !known || known.lastState !== metadata.keyState;
    if (!stateChanged && drafts.length === 0) return 0;

    return deps.db.transaction(async (tx) => {
      if (stateChanged) await queries.saveWatch(tx, key, { ...watch, lastState: metadata.keyState }, now, !known);
      let recorded = 0;
      for (const draft of drafts) {
        const id = await queries.insertFinding(tx, { ...key, keyArn: metadata.arn }, draft, now);
        if (!id) continue;
        recorded++;
        await appendAudit(tx, {
          action: "drift.found",
          actor: SYSTEM_ACTOR,
          at: now,
          targetId,
          region,
          keyArn: metadata.arn,
          details: { findingId: id, kind: draft.kind, fingerprint: draft.fingerprint, keyMaterialId: draft.keyMaterialId, ...draft.details },
        });
        await enqueueNotification(tx, notification(id, draft, metadata, key, now));
      }
      return recorded;
    });
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
