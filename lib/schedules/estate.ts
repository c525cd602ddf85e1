import "server-only";
import type { Db } from "@/lib/db";
import { familyOf, isKeySpec } from "@/lib/imports/compat";
import { importsOfKeys } from "@/lib/imports/key-imports";
import { keyRefId } from "@/lib/inventory/material-summary";
import { rotationBlockedBy } from "@/lib/inventory/key-readiness";
import { listExternalKeys, type KeyRow } from "@/lib/inventory/queries";
import type { KmsAccess } from "@/lib/kms";
import {
  DAY_MS,
  dueBucket,
  effectivePolicy,
  reimportDueAt,
  type DueBucket,
  type PolicySource,
  type SchedulePolicy,
} from "./policy";
import { REIMPORT_DAYS } from "./schemas";
import { allPolicies, policyId, policyIndex, type StoredPolicy } from "./store";

/**
 * The estate as the schedules see it: which keys' material is due for reimport, which keys rotate on a
 * schedule and where each stands, and every ValidTo in the coming weeks. Read from the inventory cache and
 * Keyport's trail, a bounded number of queries whatever the size of the estate; where rotations stand is in
 * ./rotations.ts.
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
  const governed = rows.flatMap((key) => {
    const policy = governing(index, key);
    if (!policy?.reimportDaysBefore || !key.validTo || key.expirationModel !== "KEY_MATERIAL_EXPIRES") return [];
    const dueAt = reimportDueAt(key.validTo, policy.reimportDaysBefore);
    return [{ key, policy, validTo: key.validTo, dueAt, bucket: dueBucket(dueAt, now) }];
  });
  // Whether each key due soon has an import to copy: one query for them all.
  const imported = await importsOfKeys(db, governed.filter((g) => g.bucket !== "later").map((g) => g.key));
  const due: ReimportDue[] = governed.map((g) => ({ ...g, copyable: g.bucket !== "later" && imported.has(keyRefId(g.key)) }));
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
