import "server-only";
import { scheduledRotations as stored, type ScheduleDeps } from "@/lib/schedules";
import type { RotationEntry } from "./rotation-table";

/**
 * Each scheduled key's rotation status, from what the inventory refresh stored (no KMS call per key). A key
 * whose current material the refresh has not summarised yet says so, rather than the page asking KMS.
 */
export async function scheduledRotations(deps: ScheduleDeps): Promise<RotationEntry[]> {
  return (await stored(deps)).map(({ key, everyDays, policy, rotation }) => ({
    key,
    everyDays,
    source: policy.source,
    status: rotation?.status ?? { error: "Not read yet: Keyport reads this key's rotations from AWS KMS at the next inventory refresh, or open the key to read them now." },
  }));
}
