import type { KeyMaterialEntry } from "@/lib/kms/operations";
import type { DriftKind } from "./labels";

/**
 * What counts as drift, as pure functions: what KMS shows of one EXTERNAL key, against what Keyport's trail
 * says it did to that key and what it saw before. Each finding carries a fingerprint naming the change, so
 * the same change seen by every later refresh is the same finding (recorded once).
 */

/** One key as KMS shows it now: DescribeKey, and ListKeyRotations (ALL_KEY_MATERIAL) for symmetric keys. */
export type Observation = {
  keyState: string;
  validTo: Date | null;
  /** Every key material KMS lists; null where KMS lists none per material (asymmetric and HMAC keys). */
  materials: KeyMaterialEntry[] | null;
};

/**
 * An import or deletion of key material Keyport made, from its trail, oldest first. `validTo` is undefined
 * where the event did not record one (a rotation's import), so it is not compared.
 */
export type TrailEvent = {
  seq: number;
  action: "import.imported" | "material.deleted";
  keyMaterialId: string | null;
  validTo: Date | null | undefined;
};

/** Material adopted without a finding the first time Keyport checked the key (id null: asymmetric, HMAC). */
export type BaselineMaterial = { id: string | null; validTo: string | null };

export type Watch = { baseline: BaselineMaterial[]; lastState: string; observedAt: Date };

export type FindingDraft = {
  kind: DriftKind;
  fingerprint: string;
  keyMaterialId: string | null;
  details: Record<string, string | null>;
};

/** States in which an asymmetric or HMAC key holds material; PendingDeletion may or may not, so it says nothing. */
const HOLDS_MATERIAL = new Set(["Enabled", "Disabled"]);

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);
const seconds = (value: Date | string | null) => (value === null ? null : Math.floor(new Date(value).getTime() / 1000));
const sameTime = (a: Date | string | null, b: Date | string | null) => seconds(a) === seconds(b);
const expired = (validTo: Date | string | null | undefined, now: Date) => !!validTo && new Date(validTo).getTime() <= now.getTime();

/**
 * The baseline for a key checked the first time: what it holds now, unless Keyport already controls it (its
 * trail names the key, or the key is tagged for dual control), where nothing is adopted.
 */
export function baselineOf(observation: Observation, controlled: boolean): BaselineMaterial[] {
  if (controlled) return [];
  if (observation.materials) {
    return observation.materials.filter((m) => m.importState === "IMPORTED" && m.keyMaterialId).map((m) => ({ id: m.keyMaterialId, validTo: iso(m.validTo) }));
  }
  return HOLDS_MATERIAL.has(observation.keyState) ? [{ id: null, validTo: iso(observation.validTo) }] : [];
}

/** Every change the observation shows that neither the trail nor the baseline explains. */
export function findDrift(observation: Observation, trail: TrailEvent[], watch: Watch, now: Date): FindingDraft[] {
  return [
    ...(observation.materials ? materialDrift(observation.materials, trail, watch.baseline, now) : currentMaterialDrift(observation, trail, watch.baseline, now)),
    ...stateDrift(observation, watch),
  ];
}

/** Keys whose material KMS lists one by one (symmetric): compared KeyMaterialId by KeyMaterialId. */
function materialDrift(materials: KeyMaterialEntry[], trail: TrailEvent[], baseline: BaselineMaterial[], now: Date): FindingDraft[] {
  const imports = new Map<string, TrailEvent>();
  const deletions = new Map<string, TrailEvent>();
  for (const event of trail) if (event.keyMaterialId) (event.action === "import.imported" ? imports : deletions).set(event.keyMaterialId, event);
  const adopted = new Map(baseline.flatMap((b) => (b.id ? [[b.id, b]] : [])));
  const listed = new Map(materials.flatMap((m) => (m.keyMaterialId ? [[m.keyMaterialId, m]] : [])));
  const findings: FindingDraft[] = [];

  for (const [id, entry] of listed) {
    if (entry.importState !== "IMPORTED") continue;
    const imported = imports.get(id);
    if (!imported && !adopted.has(id)) {
      findings.push({ kind: "material_not_imported", fingerprint: `material:${id}`, keyMaterialId: id, details: { state: entry.state, validTo: iso(entry.validTo) } });
      continue;
    }
    const expected = imported ? imported.validTo : (adopted.get(id)?.validTo ?? null);
    if (expected !== undefined && !sameTime(expected, entry.validTo)) {
      findings.push({
        kind: "valid_to_changed",
        fingerprint: `validTo:${id}:${iso(entry.validTo) ?? "none"}`,
        keyMaterialId: id,
        details: { expectedValidTo: typeof expected === "string" ? expected : iso(expected), validTo: iso(entry.validTo) },
      });
    }
  }

  // Material Keyport imported or adopted that KMS no longer holds, with no deletion of Keyport's since.
  const held = new Map<string, { since: string; validTo: Date | string | null | undefined }>();
  for (const [id, b] of adopted) held.set(id, { since: "baseline", validTo: b.validTo });
  for (const [id, event] of imports) held.set(id, { since: `import:${event.seq}`, validTo: event.validTo });
  for (const [id, { since, validTo }] of held) {
    const deleted = deletions.get(id);
    const importedAt = imports.get(id)?.seq ?? 0;
    if (deleted && deleted.seq > importedAt) continue;
    const entry = listed.get(id);
    if (entry?.importState === "IMPORTED") continue;
    // At ValidTo KMS deletes the material itself: expiry, not drift.
    if (expired(entry?.validTo ?? validTo, now)) continue;
    findings.push({ kind: "material_deleted", fingerprint: `deleted:${id}:${since}`, keyMaterialId: id, details: { listed: entry ? "PENDING_IMPORT" : "no longer listed" } });
  }
  return findings;
}

/** Asymmetric and HMAC keys: one material at a time, seen only through the key state; the trail read in order. */
function currentMaterialDrift(observation: Observation, trail: TrailEvent[], baseline: BaselineMaterial[], now: Date): FindingDraft[] {
  const last = trail.at(-1);
  // Material Keyport expects the key to hold: its own last import, or what it adopted if it never touched the key.
  const expected = last ? (last.action === "import.imported" ? { validTo: last.validTo, since: `import:${last.seq}` } : null) : baseline[0] ? { validTo: baseline[0].validTo, since: "baseline" } : null;
  const holds = HOLDS_MATERIAL.has(observation.keyState);
  if (holds && !expected) {
    return [{ kind: "material_not_imported", fingerprint: `current:after:${last?.seq ?? 0}`, keyMaterialId: null, details: { keyState: observation.keyState, validTo: iso(observation.validTo) } }];
  }
  if (observation.keyState === "PendingImport" && expected && !expired(expected.validTo, now)) {
    return [{ kind: "material_deleted", fingerprint: `deleted:current:${expected.since}`, keyMaterialId: null, details: { keyState: observation.keyState } }];
  }
  if (holds && expected && expected.validTo !== undefined && !sameTime(expected.validTo, observation.validTo)) {
    return [
      {
        kind: "valid_to_changed",
        fingerprint: `validTo:current:${iso(observation.validTo) ?? "none"}`,
        keyMaterialId: null,
        details: { expectedValidTo: typeof expected.validTo === "string" ? expected.validTo : iso(expected.validTo), validTo: iso(observation.validTo) },
      },
    ];
  }
  return [];
}

/** Keyport never disables a key nor schedules its deletion: either, seen happen, was done elsewhere. */
function stateDrift(observation: Observation, watch: Watch): FindingDraft[] {
  const since = watch.observedAt.toISOString();
  const details = { previousState: watch.lastState, keyState: observation.keyState };
  if (observation.keyState === "Disabled" && watch.lastState === "Enabled") return [{ kind: "key_disabled", fingerprint: `disabled:${since}`, keyMaterialId: null, details }];
  if (observation.keyState === "PendingDeletion" && watch.lastState !== "PendingDeletion") {
    return [{ kind: "deletion_scheduled", fingerprint: `deletion:${since}`, keyMaterialId: null, details }];
  }
  return [];
}
