import { keyHref } from "@/lib/inventory/key-href";
import { DRIFT_KIND_ADVICE, driftDetail, driftKindLabel, type DriftKind } from "./labels";
import type { FindingRow } from "./queries";

/** A finding as pages show it: plain values only, safe to hand to a client component. */
export type FindingDto = {
  id: string;
  kindLabel: string;
  detail: string;
  advice: string;
  keyId: string;
  /** The key's alias, or its id when it has none. */
  keyLabel: string;
  keyHref: string;
  account: string;
  region: string;
  keyMaterialId: string | null;
  foundAt: string;
  acknowledged: { by: string; at: string; comment: string } | null;
};

export function findingDto(row: FindingRow, accountName: (targetId: string) => string): FindingDto {
  return {
    id: row.id,
    kindLabel: driftKindLabel(row.kind),
    detail: driftDetail(row.kind, row.details),
    advice: (DRIFT_KIND_ADVICE as Record<string, string>)[row.kind as DriftKind] ?? "",
    keyId: row.keyId,
    keyLabel: row.alias ?? row.keyId,
    keyHref: keyHref(row),
    account: accountName(row.targetId),
    region: row.region,
    keyMaterialId: row.keyMaterialId,
    foundAt: row.foundAt.toISOString(),
    acknowledged: row.acknowledgedAt
      ? { by: row.acknowledgedByName ?? "someone", at: row.acknowledgedAt.toISOString(), comment: row.acknowledgementComment ?? "" }
      : null,
  };
}
