import "server-only";
import type { Db } from "@/lib/db";
import { familyOf, isKeySpec } from "@/lib/imports/compat";
import { importsOfKeys } from "@/lib/imports/key-imports";
import { keyRefId } from "@/lib/inventory/material-summary";
import { rotationBlockedBy } from "@/lib/inventory/key-readiness";
import type { KeyRow } from "@/lib/inventory/queries";
import type { KmsAccess } from "@/lib/kms";
import { dueRows, type Scope } from "./estate-queries";
import type { DueList } from "./lists";
import type { DueBucket, PolicySource, SchedulePolicy } from "./policy";

/**
 * The estate as the schedules see it: which keys' material is due for reimport, which keys rotate on a
 * schedule and where each stands, and every ValidTo in the coming weeks. Counted and paged in SQL
 * (./estate-queries.ts) from the inventory cache and Keyport's trail, so no read grows with the estate;
 * where rotations stand is in ./rotations.ts.
 */

export type ScheduleDeps = { db: Db; kms: Pick<KmsAccess, "kms">; now: () => Date };

export type Governed = { key: KeyRow; policy: SchedulePolicy & { source: PolicySource } };

/** `copyable`: Keyport imported this key before, so a reimport can copy that import's choices in one click. */
export type ReimportDue = Governed & { validTo: Date; dueAt: Date; bucket: DueBucket; copyable: boolean };

/** One page of one due list (earliest due first), each key with whether a reimport can copy its last import. */
export async function reimportsDue(db: Db, list: DueList, now: Date, scope: Scope, paging: { limit: number; offset: number }): Promise<ReimportDue[]> {
  const rows = await dueRows(db, list, now, scope, paging);
  // Whether each key shown has an import to copy: one query for the page.
  const imported = await importsOfKeys(db, rows.map((row) => row.key));
  return rows.map(({ key, dueAt, reimportDaysBefore, source }) => ({
    key,
    policy: { reimportDaysBefore, rotateEveryDays: null, source },
    validTo: key.validTo!,
    dueAt,
    bucket: list,
    copyable: imported.has(keyRefId(key)),
  }));
}

/** Why Keyport will not open a rotation for this key, or null. */
export function rotationBlockOf(key: KeyRow): string | null {
  if (!isKeySpec(key.keySpec) || familyOf(key.keySpec) !== "SYMMETRIC") return "Only symmetric encryption keys rotate to new imported key material.";
  const multiRegion = rotationBlockedBy(key);
  if (multiRegion) return multiRegion;
  if (key.keyState !== "Enabled") return `A rotation imports new material into an enabled key; AWS KMS reports this key as ${key.keyState ?? "unknown"}.`;
  return null;
}
