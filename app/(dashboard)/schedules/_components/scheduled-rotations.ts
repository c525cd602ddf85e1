import "server-only";
import { scheduledRotations as stored, type ScheduleDeps, type Scope } from "@/lib/schedules";
import type { RotationState } from "@/lib/schedules/lists";
import type { RotationEntry } from "./rotation-table";

/**
 * One page of scheduled keys with each one's rotation status, from what the inventory refresh stored (no KMS
 * call per key). A key whose current material the refresh has not summarised yet says so, rather than the
 * page asking KMS.
 */
export async function scheduledRotations(
  deps: ScheduleDeps,
  scope: Scope & { state?: RotationState },
  paging: { limit: number; offset: number },
): Promise<RotationEntry[]> {
  return (await stored(deps, scope, paging)).map(({ key, everyDays, policy, rotation }) => ({
    key,
    everyDays,
    source: policy.source,
    status: rotation?.status ?? { error: "Not read yet: Keyport reads this key's rotations from AWS KMS at the next inventory refresh, or open the key to read them now." },
  }));
}
