/**
 * A multi-Region key as a set: its related keys share the key id (`mrk-…`) in one account, one per Region.
 * KMS keeps key state, expiration model and ValidTo per Region and never copies imported material between
 * them, so a set can drift apart: one Region enabled, another still waiting for material, one expiring first.
 * Pure, so the key list and the key page word it alike.
 */

export type RegionKey = {
  region: string;
  keyState: string | null;
  expirationModel: string | null;
  validTo: Date | null;
  primaryRegion: string | null;
};

export function isPrimary(key: Pick<RegionKey, "region" | "primaryRegion">): boolean {
  return key.primaryRegion === key.region;
}

/** The key's part in its set, for people; null while its primary Region is not known. */
export function regionRole(key: Pick<RegionKey, "region" | "primaryRegion">): "Primary" | "Replica" | null {
  if (!key.primaryRegion) return null;
  return isPrimary(key) ? "Primary" : "Replica";
}

const DAY_MS = 24 * 3600_000;

/**
 * Where the Regions of one set differ, as short sentences for people: states that are not all the same
 * (naming the Regions away from the most common state), a Region without material, and the Region whose
 * material expires first when the Regions do not expire on the same day. Empty when they agree.
 */
export function regionDifferences(regions: readonly RegionKey[]): string[] {
  if (regions.length < 2) return [];
  const out: string[] = [];

  const byState = new Map<string, string[]>();
  for (const key of regions) byState.set(key.keyState ?? "Unknown", [...(byState.get(key.keyState ?? "Unknown") ?? []), key.region]);
  if (byState.size > 1) {
    const [common] = [...byState.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
    for (const [state, names] of byState) if (state !== common?.[0]) out.push(`${names.join(", ")} ${names.length > 1 ? "are" : "is"} ${stateWords(state)}`);
  }

  const dated = regions.filter((key) => key.expirationModel === "KEY_MATERIAL_EXPIRES" && key.validTo);
  const models = new Set(regions.filter((key) => key.expirationModel).map((key) => key.expirationModel));
  const days = new Set(dated.map((key) => Math.floor(key.validTo!.getTime() / DAY_MS)));
  if (dated.length > 0 && (days.size > 1 || models.size > 1)) {
    const first = [...dated].sort((a, b) => a.validTo!.getTime() - b.validTo!.getTime())[0]!;
    out.push(`${first.region} expires first`);
  }
  return out;
}

function stateWords(state: string): string {
  switch (state) {
    case "PendingImport":
      return "waiting for key material";
    case "PendingDeletion":
      return "pending deletion";
    case "PendingReplicaDeletion":
      return "pending replica deletion";
    default:
      return state.toLowerCase();
  }
}
