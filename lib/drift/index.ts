import "server-only";
import type { AuditUserActor } from "@/lib/audit";
import { now } from "@/lib/clock";
import { getDb } from "@/lib/db";
import { acknowledgeFinding } from "./acknowledge";
import * as queries from "./queries";
import type { AcknowledgeFinding } from "./schemas";

/**
 * Drift: changes made in KMS outside Keyport, found by the inventory refresh (check.ts, which the refresh
 * calls directly) and acknowledged by auditors (acknowledge.ts). Pages and the action use these doors, over the
 * process's database and clock. See README.md for what counts.
 */

/** The findings of one key, open first; for the key page. */
export async function keyFindings(key: { targetId: string; region: string; keyId: string }) {
  return queries.listFindings(await getDb(), { key, limit: 50 });
}

/** The latest findings of every key, open first; for the pending view. */
export async function recentFindings(limit = 50) {
  return queries.listFindings(await getDb(), { limit });
}

/** Acknowledges a finding as `actor`, now. */
export async function acknowledge(actor: AuditUserActor, input: AcknowledgeFinding) {
  return acknowledgeFinding(await getDb(), actor, input, now());
}
