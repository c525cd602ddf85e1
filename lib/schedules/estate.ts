import "server-only";
import type { Db } from "@/lib/db";
import { familyOf, isKeySpec } from "@/lib/imports/compat";
import { importedRequestsOfKey } from "@/lib/imports/queries";
import { keyMaterialHistory } from "@/lib/inventory";
import { rotationBlockedBy } from "@/lib/inventory/key-readiness";
import { listExternalKeys, type KeyRow } from "@/lib/inventory/queries";
import type { KmsAccess } from "@/lib/kms";
import {
  DAY_MS,
  dueBucket,
  effectivePolicy,
  materialSince,
  reimportDueAt,
  rotationStatus,
  rotationsUsed,
  type DueBucket,
  type PolicySource,
  type RotationStatus,
  type SchedulePolicy,
} from "./policy";
import { REIMPORT_DAYS } from "./schemas";
import { allPolicies, policyId, policyIndex, type StoredPolicy } from "./store";

/**
 * The estate as the schedules see it: which keys' material is due for reimport, which keys rotate on a
 * schedule and where each stands, and every ValidTo in the coming weeks. Read from the inventory cache and
 * Keyport's trail; a key's rotation history from AWS KMS (ListKeyRotations, briefly cached per key).
 */

export type ScheduleDeps = { db: Db; kms: Pick<KmsAccess, "kms">; now: () => Date };

/** Estate-wide reads stop here; an estate larger than this shows the first keys by ValidTo. */
const MAX_KEYS = 5000;

export type Governed = { key: KeyRow; policy: SchedulePolicy & { source: PolicySource } };

function governing(index: Map<string, StoredPolicy>, key: KeyRow) {
  return effectivePolicy(
    index.get(policyId({ scope: "key", targetId: key.targetId, region: key.region, keyId: key.keyId })),
    index.get(policyId({ scope: "target", targetId: key.targetId })),
  );
}

/** `copyable`: Keyport imported this key before, so a reimport can copy that import's choices in one click. */
export type ReimportDue = Governed & { validTo: Date; dueAt: Date; bucket: DueBucket; copyable: boolean };

/** Keys whose expiring material has a reimport policy, with their due date and bucket, earliest first. */
export async function reimportsDue(db: Db, now: Date): Promise<ReimportDue[]> {
  const index = policyIndex(await allPolicies(db));
  if (![...index.values()].some((p) => p.reimportDaysBefore !== null)) return [];
  // Nothing due in the next two weeks expires later than the longest policy allows for.
  const horizon = new Date(now.getTime() + (14 + REIMPORT_DAYS.max) * DAY_MS);
  const { rows } = await listExternalKeys(db, { expiringBefore: horizon }, { sort: "validTo", direction: "asc", page: 1, pageSize: MAX_KEYS });
  const due: ReimportDue[] = [];
  for (const key of rows) {
    const policy = governing(index, key);
    if (!policy?.reimportDaysBefore || !key.validTo || key.expirationModel !== "KEY_MATERIAL_EXPIRES") continue;
    const dueAt = reimportDueAt(key.validTo, policy.reimportDaysBefore);
    const bucket = dueBucket(dueAt, now);
    const copyable = bucket !== "later" && (await importedRequestsOfKey(db, key.targetId, key.region, key.keyId, 1)).length > 0;
    due.push({ key, policy, validTo: key.validTo, dueAt, bucket, copyable });
  }
  return due.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/** Symmetric keys whose policy asks for new material on a schedule. */
export async function rotationCandidates(db: Db): Promise<Array<Governed & { everyDays: number }>> {
  const index = policyIndex(await allPolicies(db));
  if (![...index.values()].some((p) => p.rotateEveryDays !== null)) return [];
  const { rows } = await listExternalKeys(db, { keySpec: "SYMMETRIC_DEFAULT" }, { sort: "target", direction: "asc", page: 1, pageSize: MAX_KEYS });
  return rows.flatMap((key) => {
    const policy = governing(index, key);
    return policy?.rotateEveryDays ? [{ key, policy, everyDays: policy.rotateEveryDays }] : [];
  });
}

/** Why Keyport will not open a rotation for this key, or null. */
export function rotationBlockOf(key: KeyRow): string | null {
  if (!isKeySpec(key.keySpec) || familyOf(key.keySpec) !== "SYMMETRIC") return "Only symmetric encryption keys rotate to new imported key material.";
  const multiRegion = rotationBlockedBy(key);
  if (multiRegion) return multiRegion;
  if (key.keyState !== "Enabled") return `A rotation imports new material into an enabled key; AWS KMS reports this key as ${key.keyState ?? "unknown"}.`;
  return null;
}

export type KeyRotation = { status: RotationStatus; since: Date | null; currentKeyMaterialId: string | null };

/**
 * Where a key's rotation schedule stands: rotations used (ListKeyRotations) and since when its material is
 * current (the latest rotation, or Keyport's latest import of new material). A blocked key costs no KMS call.
 */
export async function keyRotation(deps: ScheduleDeps, key: KeyRow, everyDays: number): Promise<KeyRotation> {
  const now = deps.now();
  const blockedBy = rotationBlockOf(key);
  if (blockedBy) return { status: rotationStatus(everyDays, { since: null, used: null, blockedBy }, now), since: null, currentKeyMaterialId: key.currentKeyMaterialId };
  const history = await keyMaterialHistory(key.targetId, key.region, key.keyId, deps);
  const entries = history?.entries ?? [];
  const imported = await importedRequestsOfKey(deps.db, key.targetId, key.region, key.keyId);
  const newMaterial = imported.find((r) => r.kind === "rotate" || r.importType === "NEW_KEY_MATERIAL");
  const since = materialSince(entries, newMaterial?.closedAt ?? null);
  return { status: rotationStatus(everyDays, { since, used: rotationsUsed(entries), blockedBy: null }, now), since, currentKeyMaterialId: key.currentKeyMaterialId };
}

export type TimelineKey = { key: KeyRow; validTo: Date };
export type TimelineRow = { targetId: string; region: string; keys: TimelineKey[] };

/** Every ValidTo within `days` from now, by account and Region (rows in account, then Region order). */
export async function expiryTimeline(db: Db, now: Date, days: number): Promise<TimelineRow[]> {
  const end = new Date(now.getTime() + days * DAY_MS);
  const { rows } = await listExternalKeys(db, { expiringBefore: end }, { sort: "validTo", direction: "asc", page: 1, pageSize: MAX_KEYS });
  const byRow = new Map<string, TimelineRow>();
  for (const key of rows) {
    if (!key.validTo || key.validTo.getTime() < now.getTime()) continue;
    const id = `${key.targetId}\u0000${key.region}`;
    const row = byRow.get(id) ?? { targetId: key.targetId, region: key.region, keys: [] };
    row.keys.push({ key, validTo: key.validTo });
    byRow.set(id, row);
  }
  return [...byRow.values()].sort((a, b) => a.targetId.localeCompare(b.targetId) || a.region.localeCompare(b.region));
}
