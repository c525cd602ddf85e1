import "server-only";
import { isKeyportError } from "@/lib/errors";
import { keyRotation, rotationCandidates, type ScheduleDeps } from "@/lib/schedules";
import type { RotationEntry } from "./rotation-table";

/** Each scheduled key's rotation status; a key whose history AWS KMS would not give shows why, not the page failing. */
export async function scheduledRotations(deps: ScheduleDeps): Promise<RotationEntry[]> {
  const candidates = await rotationCandidates(deps.db);
  return Promise.all(
    candidates.map(async ({ key, everyDays, policy }) => {
      try {
        const { status } = await keyRotation(deps, key, everyDays);
        return { key, everyDays, source: policy.source, status };
      } catch (error) {
        if (!isKeyportError(error)) throw error;
        return { key, everyDays, source: policy.source, status: { error: `Could not read its rotations from AWS KMS: ${error.message}` } };
      }
    }),
  );
}
