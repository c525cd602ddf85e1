import "server-only";
import { randomUUID } from "node:crypto";
import { now } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { logInternalError } from "@/lib/errors/internal";
import { getKmsAccess } from "@/lib/kms";
import type { ScheduleDeps } from "./estate";
import { ROTATION_PASS_INTERVAL_MS, rotationPass } from "./rotation-pass";

/**
 * Schedules: reimport before ValidTo and new material every N days, per key or per account. The public face
 * for the app: `scheduleDeps()` binds the module to the process-wide database, KMS access and clock, and
 * `scheduleRotationPass()` runs the rotation pass periodically (lib/startup).
 */
export async function scheduleDeps(): Promise<ScheduleDeps> {
  return { db: await getDb(), kms: getKmsAccess(), now };
}

/** Whether `id` names one of the accounts Keyport is configured with. */
export function knownTarget(id: string): boolean {
  return getConfig().targets.some((t) => t.id === id);
}

const instanceId = `${process.pid}-${randomUUID().slice(0, 8)}`;
const state = globalThis as typeof globalThis & { __keyportRotationPass?: NodeJS.Timeout };

/** Called once at server start: a pass now, then one every ROTATION_PASS_INTERVAL_MS. */
export function scheduleRotationPass(): void {
  if (state.__keyportRotationPass) return;
  const run = () => {
    void scheduleDeps()
      .then((deps) => rotationPass(deps, instanceId))
      .catch((error: unknown) => logInternalError("schedules", "in the rotation pass", error));
  };
  run();
  state.__keyportRotationPass = setInterval(run, ROTATION_PASS_INTERVAL_MS);
  state.__keyportRotationPass.unref();
}

export { reimportsDue, rotationBlockOf, type ReimportDue, type ScheduleDeps } from "./estate";
export { dueCounts, keysAhead, rotationCounts, timelineCells, type Scope, type TimelineCell } from "./estate-queries";
export { keyRotation, scheduledRotations, type ScheduledRotation } from "./rotations";
export { startScheduledReimport } from "./reimport";
export { policiesOfKey, setPolicy, allPolicies, type StoredPolicy } from "./store";
