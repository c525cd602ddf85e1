/**
 * The key-age report, as data (pure: the page, the CSV and the tests compute it alike). For each EXTERNAL key:
 * how old its current material is, when Keyport last imported into it, when its material next expires, and
 * how many on-demand rotations KMS still allows. KMS dates a material only when a rotation made it current; a
 * key's first material has no date in ListKeyRotations, so its age is bounded by the key's creation ("at most").
 */

/** AWS KMS refuses the 11th on-demand rotation of a key with imported material (LimitExceededException). */
export const ON_DEMAND_ROTATION_LIMIT = 10;

const DAY_MS = 24 * 3600_000;

export const AGE_BUCKETS = ["under-90d", "90d-1y", "over-1y", "no-material"] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

export const AGE_BUCKET_LABELS: Record<AgeBucket, string> = {
  "under-90d": "Under 90 days",
  "90d-1y": "90 days to a year",
  "over-1y": "Over a year",
  "no-material": "No key material",
};

/** Each dated bucket's lower and upper age in days (upper exclusive; null: no bound). The query filters with the same bounds. */
export const AGE_BUCKET_DAYS: Record<Exclude<AgeBucket, "no-material">, [number, number | null]> = {
  "under-90d": [0, 90],
  "90d-1y": [90, 365],
  "over-1y": [365, null],
};

export type KeyAgeInput = {
  keySpec: string | null;
  keyState: string | null;
  creationDate: Date | null;
  expirationModel: string | null;
  validTo: Date | null;
  currentKeyMaterialId: string | null;
  /** The stored summary of the key's material history (lib/inventory/material-summary.ts), if any. */
  summary: { keyMaterialId: string; currentSince: Date | null; onDemandRotations: number } | null;
};

/** Where a material's date comes from: a rotation that made it current, or the key's creation (an upper bound on its age). */
export type SinceSource = "rotation" | "key_created";

export type Rotations = { kind: "left"; left: number; used: number } | { kind: "unknown" } | { kind: "not_applicable" };

export type KeyAge = {
  since: Date | null;
  sinceSource: SinceSource | null;
  ageDays: number | null;
  bucket: AgeBucket;
  nextValidTo: Date | null;
  rotations: Rotations;
};

/** The material's date as the report uses it: null while the key holds no material. */
export function materialSince(key: KeyAgeInput): { since: Date; source: SinceSource } | null {
  if (key.keyState === "PendingImport") return null;
  const summary = key.summary && key.summary.keyMaterialId === key.currentKeyMaterialId ? key.summary : null;
  if (summary?.currentSince) return { since: summary.currentSince, source: "rotation" };
  return key.creationDate ? { since: key.creationDate, source: "key_created" } : null;
}

export function ageBucket(ageDays: number | null): AgeBucket {
  if (ageDays === null) return "no-material";
  for (const bucket of ["under-90d", "90d-1y", "over-1y"] as const) {
    const [from, to] = AGE_BUCKET_DAYS[bucket];
    if (ageDays >= from && (to === null || ageDays < to)) return bucket;
  }
  return "under-90d"; // a date in the future (clocks apart): as young as can be
}

export function keyAge(key: KeyAgeInput, nowMs: number): KeyAge {
  const dated = materialSince(key);
  const ageDays = dated ? Math.max(0, Math.floor((nowMs - dated.since.getTime()) / DAY_MS)) : null;
  return {
    since: dated?.since ?? null,
    sinceSource: dated?.source ?? null,
    ageDays,
    bucket: ageBucket(ageDays),
    nextValidTo: key.expirationModel === "KEY_MATERIAL_EXPIRES" ? key.validTo : null,
    rotations: rotationsOf(key),
  };
}

/** Asymmetric and HMAC keys hold one material for life: rotation does not apply. */
function rotationsOf(key: KeyAgeInput): Rotations {
  if (key.keySpec !== "SYMMETRIC_DEFAULT") return { kind: "not_applicable" };
  if (!key.summary || key.summary.keyMaterialId !== key.currentKeyMaterialId) return { kind: "unknown" };
  const used = key.summary.onDemandRotations;
  return { kind: "left", left: Math.max(0, ON_DEMAND_ROTATION_LIMIT - used), used };
}

export function rotationsText(rotations: Rotations): string {
  switch (rotations.kind) {
    case "left":
      return `${rotations.left} of ${ON_DEMAND_ROTATION_LIMIT}`;
    case "unknown":
      return "not read yet";
    case "not_applicable":
      return "n/a";
  }
}
