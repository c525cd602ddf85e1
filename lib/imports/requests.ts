import "server-only";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { tables } from "@/lib/db";
import { openCondition, requestColumns, type Q, type RequestRow } from "./request-rows";

/** Opening requests and reading them one at a time, or a key's. */

const r = tables.importRequests;

export type NewRequest = Omit<RequestRow, "version" | "closedAt" | "keyMaterialId" | "kmsRequestId" | "lastErrorCode" | "lastErrorMessage" | "updatedAt" | "sessionId"> & {
  sessionId?: string | null;
};

export async function insertRequest(q: Q, values: NewRequest): Promise<RequestRow> {
  const [row] = await q
    .insert(r)
    .values({ ...values, updatedAt: values.createdAt })
    .returning(requestColumns);
  if (!row) throw new Error("INSERT import_requests returned no row");
  return row;
}

/** The requests of a multi-Region import session, primary Region first is the caller's choice: by Region here. */
export async function sessionRequests(q: Q, sessionId: string): Promise<RequestRow[]> {
  return q.select(requestColumns).from(r).where(eq(r.sessionId, sessionId)).orderBy(asc(r.region));
}

export async function getRequest(q: Q, id: string): Promise<RequestRow | null> {
  const rows = await q.select(requestColumns).from(r).where(eq(r.id, id)).limit(1);
  return rows[0] ?? null;
}

/** Requests of a key that are not final (imported, rejected, cancelled), newest first. */
export async function openRequestsOfKey(q: Q, targetId: string, region: string, keyId: string): Promise<RequestRow[]> {
  return q
    .select(requestColumns)
    .from(r)
    .where(and(eq(r.targetId, targetId), eq(r.region, region), eq(r.keyId, keyId), openCondition()))
    .orderBy(desc(r.createdAt));
}

/**
 * A key's imports and rotations that reached `imported`, latest first: what a scheduled reimport copies its
 * choices from, and when Keyport last brought new material in.
 */
export async function importedRequestsOfKey(q: Q, targetId: string, region: string, keyId: string, limit = 20): Promise<RequestRow[]> {
  return q
    .select(requestColumns)
    .from(r)
    .where(and(eq(r.targetId, targetId), eq(r.region, region), eq(r.keyId, keyId), eq(r.state, "imported"), inArray(r.kind, ["import", "rotate"])))
    .orderBy(desc(r.closedAt), desc(r.createdAt))
    .limit(limit);
}

// Namespace for this module's two-key advisory locks (the bigint keys in lib/db/locks.ts are a separate space).
const KEY_LOCK_CLASS = 7_208_152;

/**
 * Serializes "does this key have an open request? no → create one" per key across app instances: a
 * transaction-level advisory lock on the key, released at commit.
 */
export async function lockKey(tx: Tx, targetId: string, region: string, keyId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${KEY_LOCK_CLASS}::int, hashtext(${`${targetId}|${region}|${keyId}`}))`);
}

/**
 * The key material ids Keyport's own requests recorded for a key (other than `exceptRequestId`): material
 * found in KMS that is not among them was not imported by any other request Keyport knows of.
 */
export async function recordedKeyMaterialIds(q: Q, key: { targetId: string; region: string; keyId: string }, exceptRequestId: string): Promise<Set<string>> {
  const rows = await q
    .select({ keyMaterialId: r.keyMaterialId })
    .from(r)
    .where(and(eq(r.targetId, key.targetId), eq(r.region, key.region), eq(r.keyId, key.keyId), sql`${r.id} <> ${exceptRequestId}`, sql`${r.keyMaterialId} IS NOT NULL`));
  return new Set(rows.map((row) => row.keyMaterialId!));
}
