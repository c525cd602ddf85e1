import type { KeyMaterialEntry } from "@/lib/kms/operations";

/**
 * A short, process-wide memory of each key's material history (ListKeyRotations), so that key pages loaded
 * over and over cost KMS one call per key per MATERIAL_HISTORY_TTL_MS, not one per view; and one call in flight
 * per key, shared by every request that arrives meanwhile.
 *
 * Keyport forgets a key's entry when it changes that key itself (refreshKey runs after every import, rotation
 * and deletion of key material). A change made elsewhere — in the console, or through another Keyport
 * instance — shows within the TTL. A call that was in flight when the key was forgotten answers its callers
 * but is not kept, so a history read before an import is never served after it.
 *
 * On globalThis so that every route bundle of the server shares one map (as the inventory's state does).
 */

export const MATERIAL_HISTORY_TTL_MS = 30_000;

type Slot = { generation: number; at?: number; entries?: KeyMaterialEntry[]; pending?: Promise<KeyMaterialEntry[]> };

const state = globalThis as typeof globalThis & { __keyportMaterialHistory?: Map<string, Slot> };
const slots = (state.__keyportMaterialHistory ??= new Map());

function slotKey(targetId: string, region: string, keyId: string): string {
  return JSON.stringify([targetId, region, keyId]);
}

/** Drops entries older than the TTL, so the map holds only keys viewed lately. */
function prune(now: number): void {
  for (const [key, slot] of slots) {
    if (!slot.pending && (slot.at === undefined || now - slot.at >= MATERIAL_HISTORY_TTL_MS)) slots.delete(key);
  }
}

/** The key's material history: remembered if read within the TTL, else from `load` (shared while in flight). */
export function cachedMaterialHistory(
  targetId: string,
  region: string,
  keyId: string,
  load: () => Promise<KeyMaterialEntry[]>,
  now: () => number = Date.now,
): Promise<KeyMaterialEntry[]> {
  const key = slotKey(targetId, region, keyId);
  const slot = slots.get(key);
  if (slot?.entries && slot.at !== undefined && now() - slot.at < MATERIAL_HISTORY_TTL_MS) return Promise.resolve(slot.entries);
  if (slot?.pending) return slot.pending;

  prune(now());
  const generation = (slot?.generation ?? 0) + 1;
  const pending = load().then(
    (entries) => {
      // Kept only if nobody forgot the key (or started another load) meanwhile.
      if (slots.get(key)?.generation === generation) slots.set(key, { generation, at: now(), entries });
      return entries;
    },
    (error: unknown) => {
      // A failure is not remembered: the next view asks again.
      if (slots.get(key)?.generation === generation) slots.delete(key);
      throw error;
    },
  );
  slots.set(key, { generation, pending });
  return pending;
}

/** Forgets one key's history: Keyport has just changed its material. */
export function forgetMaterialHistory(targetId: string, region: string, keyId: string): void {
  const key = slotKey(targetId, region, keyId);
  const slot = slots.get(key);
  // A placeholder with a new generation: a load still in flight for the old one will not be stored.
  if (slot) slots.set(key, { generation: slot.generation + 1 });
}
