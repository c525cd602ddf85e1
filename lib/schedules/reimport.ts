import "server-only";
import type { Actor, ImportDeps } from "@/lib/imports/deps";
import { keyNotFound } from "@/lib/imports/errors";
import { startImport, type StartOutcome } from "@/lib/imports/workflow";
import { scheduledStart } from "./choices";

/**
 * "Start reimport" on the schedule page: one click opens a reimport request copying the key's last import
 * (scheduledStart) and obtains its parameters as `actor`, exactly as the start form would with those choices.
 */
export async function startScheduledReimport(deps: ImportDeps, actor: Actor, ref: { target: string; region: string; keyId: string }): Promise<StartOutcome> {
  const key = await deps.inventory.getKey(ref.target, ref.region, ref.keyId);
  if (!key) throw keyNotFound();
  const expires = key.validTo ? ` before it expires on ${key.validTo.toISOString().slice(0, 10)}` : "";
  const input = await scheduledStart(deps.db, key, "import", deps.now(), `Scheduled reimport of the same key material${expires}.`);
  return startImport(deps, actor, input);
}
