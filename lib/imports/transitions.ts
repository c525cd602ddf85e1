import "server-only";
import { and, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Tx } from "@/lib/db";
import { tables } from "@/lib/db";
import { requestColumns, type Q, type RequestRow } from "./request-rows";
import type { RequestState } from "./states";

/** The writes that move a request from state to state, and the reads that find what the expiry sweep must move. */

const r = tables.importRequests;
const p = tables.parameterSets;

/** The request, locked until the transaction ends (every state change takes this lock first). */
export async function lockRequest(tx: Tx, id: string): Promise<RequestRow | null> {
  const rows = await tx.select(requestColumns).from(r).where(eq(r.id, id)).limit(1).for("update");
  return rows[0] ?? null;
}

/**
 * The conditional UPDATE behind every transition: it changes the row only if it is still in `from` at
 * `version`, bumps the version, and returns how many rows it changed (0 means someone else moved first).
 */
export async function transitionRequest(
  q: Q,
  id: string,
  expected: { state: RequestState; version: number },
  set: Partial<Pick<RequestRow, "state" | "closedAt" | "keyMaterialId" | "kmsRequestId" | "lastErrorCode" | "lastErrorMessage">> & { updatedAt: Date },
): Promise<number> {
  const changed = await q
    .update(r)
    .set({ ...set, version: sql`${r.version} + 1` })
    .where(and(eq(r.id, id), eq(r.state, expected.state), eq(r.version, expected.version)))
    .returning({ id: r.id });
  return changed.length;
}

/** Notes a KMS failure that does not change the state (e.g. GetParametersForImport refused a draft). */
export async function recordRequestError(q: Q, id: string, error: { code: string; message: string } | null, at: Date): Promise<void> {
  await q
    .update(r)
    .set({ lastErrorCode: error?.code ?? null, lastErrorMessage: error?.message ?? null, updatedAt: at })
    .where(eq(r.id, id));
}

// --- expiry -------------------------------------------------------------------------------------------------

/** Requests holding a token that ParametersValidTo has passed (or only `requestId`'s). */
export async function dueForExpiry(
  q: Q,
  now: Date,
  states: readonly RequestState[],
  requestId?: string,
): Promise<Array<Pick<RequestRow, "id" | "kind" | "state" | "version" | "keyMaterialId"> & { parametersValidTo: Date }>> {
  return q
    .select({ id: r.id, kind: r.kind, state: r.state, version: r.version, keyMaterialId: r.keyMaterialId, parametersValidTo: p.parametersValidTo })
    .from(r)
    .innerJoin(p, and(eq(p.requestId, r.id), isNull(p.supersededAt)))
    .where(and(inArray(r.state, [...states]), lte(p.parametersValidTo, now), requestId ? eq(r.id, requestId) : undefined))
    .limit(500);
}

/** Requests left in `importing` since before `before` (the process that was importing them stopped). */
export async function stuckImporting(q: Q, before: Date): Promise<Array<{ id: string; version: number }>> {
  return q
    .select({ id: r.id, version: r.version })
    .from(r)
    .where(and(eq(r.state, "importing"), lte(r.updatedAt, before)))
    .limit(100);
}
