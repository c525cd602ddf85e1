import "server-only";
import { eq } from "drizzle-orm";
import { appendAudit } from "@/lib/audit";
import type { Db, Tx } from "@/lib/db";
import { schedulePolicies as p } from "@/lib/db/schema";
import { KeyportError } from "@/lib/errors";
import { familyOf, isKeySpec } from "@/lib/imports/compat";
import type { Actor } from "@/lib/imports/deps";
import { keyNotFound } from "@/lib/imports/errors";
import { auditActor } from "@/lib/imports/workflow/shared";
import { getExternalKey } from "@/lib/inventory/queries";
import { syncScheduleFacts } from "./facts";
import type { SchedulePolicy } from "./policy";

/**
 * Schedule policies as stored: read per key (its own and its target's) or all at once, and set or cleared by
 * a person, audited with what the policy was before and after.
 */

export type PolicyRef = { scope: "target"; targetId: string } | { scope: "key"; targetId: string; region: string; keyId: string };

export type StoredPolicy = SchedulePolicy & {
  scope: "target" | "key";
  targetId: string;
  region: string | null;
  keyId: string | null;
  updatedAt: Date;
  updatedByName: string | null;
};

const columns = {
  scope: p.scope,
  targetId: p.targetId,
  region: p.region,
  keyId: p.keyId,
  reimportDaysBefore: p.reimportDaysBefore,
  rotateEveryDays: p.rotateEveryDays,
  updatedAt: p.updatedAt,
  updatedByName: p.updatedByName,
};

export function policyId(ref: PolicyRef): string {
  return ref.scope === "target" ? `target:${ref.targetId}` : `key:${ref.targetId}/${ref.region}/${ref.keyId}`;
}

/** Every stored policy (a few per account at most: the pages and the rotation pass read them whole). */
export async function allPolicies(db: Db | Tx): Promise<StoredPolicy[]> {
  return db.select(columns).from(p);
}

/** A key's own policy and its target's. */
export async function policiesOfKey(db: Db | Tx, key: { targetId: string; region: string; keyId: string }) {
  const rows = await db.select({ id: p.id, ...columns }).from(p).where(eq(p.targetId, key.targetId));
  const own = rows.find((r) => r.id === policyId({ scope: "key", ...key })) ?? null;
  const target = rows.find((r) => r.id === policyId({ scope: "target", targetId: key.targetId })) ?? null;
  return { own, target };
}

/** Indexes policies by id, for looking up many keys' policies from one read. */
export function policyIndex(rows: StoredPolicy[]): Map<string, StoredPolicy> {
  const idOf = (r: StoredPolicy) =>
    r.scope === "target" ? policyId({ scope: "target", targetId: r.targetId }) : policyId({ scope: "key", targetId: r.targetId, region: r.region!, keyId: r.keyId! });
  return new Map(rows.map((r) => [idOf(r), r]));
}

function partsOf(row: SchedulePolicy | null): SchedulePolicy | null {
  return row ? { reimportDaysBefore: row.reimportDaysBefore, rotateEveryDays: row.rotateEveryDays } : null;
}

export type SetOutcome = { changed: boolean; policy: SchedulePolicy | null };

/**
 * Sets (or, with neither part, clears) a policy as `actor`, in one transaction with its audit event
 * (`schedule.set` / `schedule.cleared`, with before and after). A key must be in the inventory, and only a
 * symmetric key can take new material on a schedule. Setting what is already set changes and records nothing.
 * `knownTarget` says whether the target is one Keyport is configured with.
 */
export async function setPolicy(
  db: Db,
  actor: Actor,
  ref: PolicyRef,
  parts: { reimportDaysBefore?: number; rotateEveryDays?: number },
  now: Date,
  knownTarget: (targetId: string) => boolean,
): Promise<SetOutcome> {
  if (!knownTarget(ref.targetId)) throw new KeyportError("unknown_target", "Keyport has no account with that id. Choose one from the list.", { status: 404 });
  const after: SchedulePolicy | null =
    parts.reimportDaysBefore === undefined && parts.rotateEveryDays === undefined
      ? null
      : { reimportDaysBefore: parts.reimportDaysBefore ?? null, rotateEveryDays: parts.rotateEveryDays ?? null };

  let keyArn: string | null = null;
  if (ref.scope === "key") {
    const key = await getExternalKey(db, ref.targetId, ref.region, ref.keyId);
    if (!key) throw keyNotFound();
    keyArn = key.arn;
    if (after?.rotateEveryDays != null && !(isKeySpec(key.keySpec) && familyOf(key.keySpec) === "SYMMETRIC")) {
      throw new KeyportError("invalid_input", "Only symmetric encryption keys can take new imported material on a schedule; leave “New material every” empty.", {
        status: 422,
        fieldErrors: { rotateEveryDays: ["Only symmetric encryption keys rotate to new imported material."] },
      });
    }
  }

  const id = policyId(ref);
  return db.transaction(async (tx) => {
    const [current] = await tx.select(columns).from(p).where(eq(p.id, id)).for("update");
    const before = partsOf(current ?? null);
    if (JSON.stringify(before) === JSON.stringify(after)) return { changed: false, policy: after };
    if (after) {
      const row = {
        scope: ref.scope,
        targetId: ref.targetId,
        region: ref.scope === "key" ? ref.region : null,
        keyId: ref.scope === "key" ? ref.keyId : null,
        ...after,
        updatedAt: now,
        updatedBySubject: actor.subject,
        updatedByName: actor.name,
      };
      await tx.insert(p).values({ id, ...row }).onConflictDoUpdate({ target: p.id, set: row });
    } else {
      await tx.delete(p).where(eq(p.id, id));
    }
    await appendAudit(tx, {
      action: after ? "schedule.set" : "schedule.cleared",
      actor: auditActor(actor),
      at: now,
      targetId: ref.targetId,
      region: ref.scope === "key" ? ref.region : null,
      keyArn,
      details: { scope: ref.scope, before, after },
    });
    await syncScheduleFacts(tx, ref.scope === "target" ? { targetId: ref.targetId } : { targetId: ref.targetId, region: ref.region, keyId: ref.keyId });
    return { changed: true, policy: after };
  });
}
