import "server-only";
import { now } from "@/lib/clock";
import { getDb } from "@/lib/db";
import * as queries from "./queries";

/**
 * Drift: changes made in KMS outside Keyport, found by the inventory refresh (check.ts) and acknowledged by
 * auditors (acknowledge.ts). See README.md for what counts.
 */
import { acknowledgeFinding } from "./acknowledge";
import type { AuditUserActor } from "@/lib/audit";
import type { AcknowledgeFinding } from "./schemas";
export { CONTROL_TAG, driftChecker } from "./check";
export type { FindingRow } from "./queries";

/** The findings of one key, open first; for the key page. */
export async function keyFindings(key: { targetId: string; region: string; keyId: string }) {
  return queries.listFindings(await getDb(), { key, limit: 50 });
}

/** The latest findings of every key, open first; for the pending view. */
export async function recentFindings(limit = 50) {
  return queries.listFindings(await getDb(), { limit });
}

/** Acknowledges a finding as `actor`, now (the server action's door). */
export async function acknowledge(actor: AuditUserActor, input: AcknowledgeFinding) {
  return acknowledgeFinding(await getDb(), actor, input, now());
}
