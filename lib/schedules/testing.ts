import type { Db } from "@/lib/db";
import { tables } from "@/lib/db";
import { DAY_MS, dueBucket, effectivePolicy, type DueBucket } from "./policy";
import { syncScheduleFacts } from "./facts";
import { policyId } from "./store";

/**
 * An estate written straight into the inventory cache, for the schedules' counting and paging tests: enough
 * keys that every list runs past a page, in every state a schedule can see, with the account's policy and
 * some keys' own. What each key should count as is worked out here from the same facts, by the pure rules
 * of ./policy.ts, so the SQL is checked against them and not against itself.
 */

export const SEED_TARGET = "prod";
const REGIONS = ["eu-west-1", "us-east-1"];
const ACCOUNT_POLICY = { reimportDaysBefore: 20, rotateEveryDays: 90 };
const OWN_POLICY = { reimportDaysBefore: 3, rotateEveryDays: null };

export type SeededKey = {
  targetId: string;
  region: string;
  keyId: string;
  external: boolean;
  expires: boolean;
  validTo: Date;
  symmetric: boolean;
  /** Whether the key has its own policy (reimport 3 days before, no rotation) rather than its account's. */
  ownPolicy: boolean;
  /** The bucket the key's reimport falls in, or null when no reimport schedule applies. */
  dueBucket: DueBucket | null;
  /** Whether it is a rotation candidate (symmetric, EXTERNAL, a policy asking for new material). */
  rotates: boolean;
};

export async function seedEstate(db: Db, now: Date, count: number): Promise<SeededKey[]> {
  const keys: SeededKey[] = [];
  const rows: Array<typeof tables.inventoryKeys.$inferInsert> = [];
  const summaries: Array<typeof tables.inventoryMaterialSummaries.$inferInsert> = [];
  const policies: Array<typeof tables.schedulePolicies.$inferInsert> = [];
  const imports: Array<typeof tables.importRequests.$inferInsert> = [];
  const who = { updatedAt: now, updatedBySubject: "seed", updatedByName: "Seed" };
  policies.push({ id: policyId({ scope: "target", targetId: SEED_TARGET }), scope: "target", targetId: SEED_TARGET, ...ACCOUNT_POLICY, ...who });
  for (let i = 0; i < count; i++) {
    const region = REGIONS[i % 2]!;
    const keyId = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
    const external = i % 17 !== 16;
    const expires = i % 13 !== 12;
    const symmetric = i % 19 !== 18;
    const ownPolicy = i % 10 === 9;
    const validTo = new Date(now.getTime() + ((i % 40) - 5) * DAY_MS + 3600_000);
    const material = `material-${i}`;
    rows.push({
      targetId: SEED_TARGET,
      region,
      keyId,
      arn: `arn:aws:kms:${region}:222222222222:key/${keyId}`,
      accountId: "222222222222",
      origin: external ? "EXTERNAL" : "AWS_KMS",
      keySpec: symmetric ? "SYMMETRIC_DEFAULT" : "RSA_2048",
      keyUsage: "ENCRYPT_DECRYPT",
      keyState: i % 11 === 10 ? "Disabled" : "Enabled",
      enabled: i % 11 !== 10,
      expirationModel: expires ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE",
      validTo: expires ? validTo : null,
      currentKeyMaterialId: material,
      multiRegion: i % 7 === 6,
      aliases: [`alias/seed/key-${String(i).padStart(4, "0")}`],
      firstSeenAt: now,
      lastSeenAt: now,
    });
    if (ownPolicy) {
      policies.push({ id: policyId({ scope: "key", targetId: SEED_TARGET, region, keyId }), scope: "key", targetId: SEED_TARGET, region, keyId, ...OWN_POLICY, ...who });
    }
    // Where its rotations stand: unread (no summary), due, scheduled, at the limit, or of unknown age.
    const shape = i % 5;
    if (shape !== 0) {
      summaries.push({
        targetId: SEED_TARGET,
        region,
        keyId,
        keyMaterialId: material,
        currentSince: shape === 1 ? new Date(now.getTime() - 100 * DAY_MS) : shape === 4 ? null : new Date(now.getTime() - 10 * DAY_MS),
        onDemandRotations: shape === 3 ? 10 : 2,
        readAt: now,
      });
    }
    // Some keys whose material is otherwise old enough to be due took new material through Keyport 5 days ago.
    if (shape === 1 && i % 3 === 0) {
      imports.push({
        kind: "rotate",
        targetId: SEED_TARGET,
        region,
        keyArn: `arn:aws:kms:${region}:222222222222:key/${keyId}`,
        keyId,
        keySpec: "SYMMETRIC_DEFAULT",
        state: "imported",
        justification: "Seeded rotation",
        requestedBySubject: "seed",
        createdAt: new Date(now.getTime() - 6 * DAY_MS),
        updatedAt: new Date(now.getTime() - 5 * DAY_MS),
        closedAt: new Date(now.getTime() - 5 * DAY_MS),
      });
    }
    const policy = effectivePolicy(ownPolicy ? OWN_POLICY : null, ACCOUNT_POLICY)!;
    const bucket = external && expires && policy.reimportDaysBefore ? dueBucket(new Date(validTo.getTime() - policy.reimportDaysBefore * DAY_MS), now) : null;
    keys.push({ targetId: SEED_TARGET, region, keyId, external, expires, validTo, symmetric, ownPolicy, dueBucket: bucket, rotates: external && symmetric && policy.rotateEveryDays !== null });
  }
  for (let i = 0; i < rows.length; i += 500) await db.insert(tables.inventoryKeys).values(rows.slice(i, i + 500));
  for (let i = 0; i < summaries.length; i += 500) await db.insert(tables.inventoryMaterialSummaries).values(summaries.slice(i, i + 500));
  for (let i = 0; i < imports.length; i += 500) await db.insert(tables.importRequests).values(imports.slice(i, i + 500));
  for (let i = 0; i < policies.length; i += 500) await db.insert(tables.schedulePolicies).values(policies.slice(i, i + 500));
  await syncScheduleFacts(db);
  return keys;
}
