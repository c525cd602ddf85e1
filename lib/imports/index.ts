import "server-only";
import { now } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { getKey, refreshKey } from "@/lib/inventory";
import { getKmsAccess } from "@/lib/kms";
import type { Session } from "@/lib/auth";
import type { Actor, ImportDeps } from "./deps";

/**
 * The import workflow's public face for the app: `importDeps()` binds the workflow to the process-wide
 * database, KMS access, clock and policy; `actorOf()` turns a session into the person the audit trail and
 * CloudTrail name. Pages and actions call the functions of workflow.ts and read.ts with them.
 */
export async function importDeps(): Promise<ImportDeps> {
  const config = getConfig();
  return {
    db: await getDb(),
    kms: getKmsAccess(),
    now,
    approvalsRequired: config.policy.approvalsRequired,
    interruptedAfterMs: config.policy.interruptedAfterSeconds * 1000,
    breakGlass: config.policy.breakGlass,
    dataKey: { current: config.dataKey, previous: config.previousDataKeys },
    inventory: { getKey, refreshKey: (targetId, region, keyId) => refreshKey(targetId, region, keyId) },
  };
}

export function actorOf(session: Session): Actor {
  return { subject: session.user.id, name: session.user.name, email: session.user.email, roles: session.user.roles };
}

export type { Actor, ImportDeps } from "./deps";
export * as workflow from "./workflow";
export * as read from "./read";
export { scheduleExpirySweep } from "./sweep";
