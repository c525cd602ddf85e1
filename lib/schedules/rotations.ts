import "server-only";
import { importedRequestsOfKey } from "@/lib/imports/queries";
import { importsOfKeys } from "@/lib/imports/key-imports";
import { keyMaterialHistory } from "@/lib/inventory";
import { keyRefId, summariesOfKeys, type MaterialSummary } from "@/lib/inventory/material-summary";
import type { KeyRow } from "@/lib/inventory/queries";
import { rotationBlockOf, type ScheduleDeps } from "./estate";
import { rotationCandidatesAfter, rotationRows, type Candidate, type Scope } from "./estate-queries";
import type { RotationState } from "./lists";
import { materialSince, rotationStatus, rotationsUsed, type RotationStatus } from "./policy";

/**
 * Where keys' rotation schedules stand: rotations used and since when the current material is current (its
 * latest rotation, or Keyport's latest import of new material).
 *
 * Read from what the inventory refresh stores (the material summary, written from the same ListKeyRotations
 * answer whenever a key's current material changes) and Keyport's trail, for any number of keys in a few
 * queries. The summary holds exactly what the status needs: for imported material every rotation is on
 * demand, and the current material is the one most recently rotated in, so its rotation date is the latest
 * one ListKeyRotations lists. A summary counts only while it describes the key's CurrentKeyMaterialId;
 * otherwise the status is not known from storage and `null` says so (the next refresh or refreshKey writes it).
 */

export type KeyRotation = { status: RotationStatus; since: Date | null; currentKeyMaterialId: string | null };

type Wanted = { key: KeyRow; everyDays: number };

function blocked(key: KeyRow, everyDays: number, reason: string, now: Date): KeyRotation {
  return { status: rotationStatus(everyDays, { since: null, used: null, blockedBy: reason }, now), since: null, currentKeyMaterialId: key.currentKeyMaterialId };
}

function fromFacts(key: KeyRow, everyDays: number, entries: ReadonlyArray<{ rotationDate: Date | null }>, used: number, lastNewMaterialAt: Date | null, now: Date): KeyRotation {
  const since = materialSince(entries, lastNewMaterialAt);
  return { status: rotationStatus(everyDays, { since, used, blockedBy: null }, now), since, currentKeyMaterialId: key.currentKeyMaterialId };
}

/** Whether `summary` describes `key`'s current material (and so can stand for its ListKeyRotations). */
function describesCurrent(summary: MaterialSummary | undefined, key: KeyRow): summary is MaterialSummary {
  return !!summary && !!key.currentKeyMaterialId && summary.keyMaterialId === key.currentKeyMaterialId;
}

/**
 * Each key's rotation from storage, in the order given: two queries for the whole set (more only past 2,000
 * keys), no KMS call. A blocked key is blocked as always; a key whose summary does not describe its current
 * material is `null`.
 */
export async function storedRotations(deps: Pick<ScheduleDeps, "db" | "now">, wanted: readonly Wanted[]): Promise<Array<KeyRotation | null>> {
  const now = deps.now();
  const open = wanted.filter(({ key }) => !rotationBlockOf(key)).map(({ key }) => key);
  const [summaries, imports] = open.length === 0 ? [new Map(), new Map()] : await Promise.all([summariesOfKeys(deps.db, open), importsOfKeys(deps.db, open)]);
  return wanted.map(({ key, everyDays }) => {
    const reason = rotationBlockOf(key);
    if (reason) return blocked(key, everyDays, reason, now);
    const summary: MaterialSummary | undefined = summaries.get(keyRefId(key));
    if (!describesCurrent(summary, key)) return null;
    const entries = summary.currentSince ? [{ rotationDate: summary.currentSince }] : [];
    return fromFacts(key, everyDays, entries, summary.onDemandRotations, imports.get(keyRefId(key))?.lastNewMaterialAt ?? null, now);
  });
}

/**
 * One key's rotation read live from AWS KMS (ListKeyRotations, briefly cached per key) and the trail. For a key
 * whose stored summary is not of its current material yet, and for the rotation pass's last look before it
 * opens a draft. A blocked key costs no KMS call.
 */
export async function liveKeyRotation(deps: ScheduleDeps, key: KeyRow, everyDays: number): Promise<KeyRotation> {
  const now = deps.now();
  const blockedBy = rotationBlockOf(key);
  if (blockedBy) return blocked(key, everyDays, blockedBy, now);
  const history = await keyMaterialHistory(key.targetId, key.region, key.keyId, deps);
  const entries = history?.entries ?? [];
  const imported = await importedRequestsOfKey(deps.db, key.targetId, key.region, key.keyId);
  const newMaterial = imported.find((r) => r.kind === "rotate" || r.importType === "NEW_KEY_MATERIAL");
  return fromFacts(key, everyDays, entries, rotationsUsed(entries), newMaterial?.closedAt ?? null, now);
}

/** One key's rotation (its page's schedule card): from storage, else live. */
export async function keyRotation(deps: ScheduleDeps, key: KeyRow, everyDays: number): Promise<KeyRotation> {
  const [stored] = await storedRotations(deps, [{ key, everyDays }]);
  return stored ?? liveKeyRotation(deps, key, everyDays);
}

export type ScheduledRotation = Candidate & { rotation: KeyRotation | null };

/**
 * One page of the keys rotating on a schedule (in one state, when asked), each with where it stands from
 * storage (`null`: not known until the next refresh). The state filter is SQL's; the status shown is
 * `storedRotations`' for the rows of the page.
 */
export async function scheduledRotations(
  deps: Pick<ScheduleDeps, "db" | "now">,
  scope: Scope & { state?: RotationState },
  paging: { limit: number; offset: number },
): Promise<ScheduledRotation[]> {
  const candidates = await rotationRows(deps.db, deps.now(), scope, paging);
  const rotations = await storedRotations(deps, candidates);
  return candidates.map(({ state: _state, ...candidate }, i) => ({ ...candidate, rotation: rotations[i] ?? null }));
}

/** Every key rotating on a schedule with where it stands from storage, `size` keys at a time (the rotation pass). */
export async function* scheduledRotationChunks(deps: Pick<ScheduleDeps, "db" | "now">, size = 1000): AsyncGenerator<ScheduledRotation[]> {
  let after: Candidate["key"] | null = null;
  for (;;) {
    const candidates = await rotationCandidatesAfter(deps.db, after, size);
    if (candidates.length === 0) return;
    const rotations = await storedRotations(deps, candidates);
    yield candidates.map((candidate, i) => ({ ...candidate, rotation: rotations[i] ?? null }));
    if (candidates.length < size) return;
    after = candidates[candidates.length - 1]!.key;
  }
}
