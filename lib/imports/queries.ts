import "server-only";
import { and, asc, desc, eq, gt, inArray, isNull, lte, sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { tables } from "@/lib/db";
import type { RequestKind, RequestState } from "./states";

/**
 * The only code that reads or writes the import tables (import_requests, parameter_sets, wrapped_blobs,
 * approvals). Every read selects explicit columns; the sealed import token and wrapped blob are selected
 * only by the two functions named for them, so nothing else can leak them by accident.
 */

const r = tables.importRequests;
const p = tables.parameterSets;
const b = tables.wrappedBlobs;
const a = tables.approvals;
const k = tables.inventoryKeys;

/** A database or a transaction: reads run on either; changes go through the caller's transaction. */
export type Q = Db | Tx;

export type RequestRow = {
  id: string;
  kind: RequestKind;
  targetId: string;
  region: string;
  keyArn: string;
  keyId: string;
  keySpec: string;
  state: RequestState;
  wrappingAlgorithm: string | null;
  wrappingKeySpec: string | null;
  importType: string | null;
  expirationModel: string | null;
  validTo: Date | null;
  justification: string;
  requestedBySubject: string;
  requestedByName: string | null;
  requestedByEmail: string | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  keyMaterialId: string | null;
  kmsRequestId: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  version: number;
  /** The multi-Region import session this request belongs to, or null. */
  sessionId: string | null;
};

const requestColumns = {
  id: r.id,
  kind: r.kind,
  targetId: r.targetId,
  region: r.region,
  keyArn: r.keyArn,
  keyId: r.keyId,
  keySpec: r.keySpec,
  state: r.state,
  wrappingAlgorithm: r.wrappingAlgorithm,
  wrappingKeySpec: r.wrappingKeySpec,
  importType: r.importType,
  expirationModel: r.expirationModel,
  validTo: r.validTo,
  justification: r.justification,
  requestedBySubject: r.requestedBySubject,
  requestedByName: r.requestedByName,
  requestedByEmail: r.requestedByEmail,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  closedAt: r.closedAt,
  keyMaterialId: r.keyMaterialId,
  kmsRequestId: r.kmsRequestId,
  lastErrorCode: r.lastErrorCode,
  lastErrorMessage: r.lastErrorMessage,
  version: r.version,
  sessionId: r.sessionId,
};

export type ParameterSetRow = {
  id: string;
  requestId: string;
  wrappingAlgorithm: string;
  wrappingKeySpec: string;
  publicKey: Buffer;
  publicKeySha256: string;
  importTokenSha256: string;
  parametersValidTo: Date;
  kmsRequestId: string | null;
  issuedBySubject: string;
  issuedByName: string | null;
  issuedAt: Date;
  supersededAt: Date | null;
};

const parameterColumns = {
  id: p.id,
  requestId: p.requestId,
  wrappingAlgorithm: p.wrappingAlgorithm,
  wrappingKeySpec: p.wrappingKeySpec,
  publicKey: p.publicKey,
  publicKeySha256: p.publicKeySha256,
  importTokenSha256: p.importTokenSha256,
  parametersValidTo: p.parametersValidTo,
  kmsRequestId: p.kmsRequestId,
  issuedBySubject: p.issuedBySubject,
  issuedByName: p.issuedByName,
  issuedAt: p.issuedAt,
  supersededAt: p.supersededAt,
};

export type BlobRow = {
  id: string;
  requestId: string;
  parameterSetId: string;
  sha256: string;
  size: number;
  uploadedBySubject: string;
  uploadedByName: string | null;
  uploadedAt: Date;
  supersededAt: Date | null;
};

const blobColumns = {
  id: b.id,
  requestId: b.requestId,
  parameterSetId: b.parameterSetId,
  sha256: b.sha256,
  size: b.size,
  uploadedBySubject: b.uploadedBySubject,
  uploadedByName: b.uploadedByName,
  uploadedAt: b.uploadedAt,
  supersededAt: b.supersededAt,
};

export type ApprovalRow = {
  id: string;
  requestId: string;
  wrappedBlobId: string | null;
  approverSubject: string;
  approverName: string | null;
  decision: "approve" | "reject";
  comment: string | null;
  createdAt: Date;
};

const approvalColumns = {
  id: a.id,
  requestId: a.requestId,
  wrappedBlobId: a.wrappedBlobId,
  approverSubject: a.approverSubject,
  approverName: a.approverName,
  decision: a.decision,
  comment: a.comment,
  createdAt: a.createdAt,
};

// --- requests ---------------------------------------------------------------------------------------------

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

function openCondition(): SQL {
  return sql`${r.state} NOT IN ('imported', 'rejected', 'cancelled')`;
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

// --- parameter sets -----------------------------------------------------------------------------------------

export async function currentParameterSet(q: Q, requestId: string): Promise<ParameterSetRow | null> {
  const rows = await q
    .select(parameterColumns)
    .from(p)
    .where(and(eq(p.requestId, requestId), isNull(p.supersededAt)))
    .limit(1);
  return rows[0] ?? null;
}

export async function parameterSetsOf(q: Q, requestId: string): Promise<ParameterSetRow[]> {
  return q.select(parameterColumns).from(p).where(eq(p.requestId, requestId)).orderBy(asc(p.issuedAt));
}

/** The sealed import token of a parameter set: open it with lib/crypto, use it, drop it. */
export async function sealedImportToken(q: Q, parameterSetId: string): Promise<Buffer | null> {
  const rows = await q.select({ token: p.importTokenCiphertext }).from(p).where(eq(p.id, parameterSetId)).limit(1);
  return rows[0]?.token ?? null;
}

export async function supersedeParameterSets(q: Q, requestId: string, at: Date): Promise<void> {
  await q.update(p).set({ supersededAt: at }).where(and(eq(p.requestId, requestId), isNull(p.supersededAt)));
}

export async function insertParameterSet(
  q: Q,
  values: Omit<ParameterSetRow, "supersededAt"> & { importTokenCiphertext: Buffer },
): Promise<void> {
  await q.insert(p).values(values);
}

// --- wrapped blobs ------------------------------------------------------------------------------------------

export async function currentBlob(q: Q, requestId: string): Promise<BlobRow | null> {
  const rows = await q
    .select(blobColumns)
    .from(b)
    .where(and(eq(b.requestId, requestId), isNull(b.supersededAt)))
    .limit(1);
  return rows[0] ?? null;
}

/** The sealed wrapped key material of a blob. */
export async function sealedBlob(q: Q, blobId: string): Promise<Buffer | null> {
  const rows = await q.select({ ciphertext: b.ciphertext }).from(b).where(eq(b.id, blobId)).limit(1);
  return rows[0]?.ciphertext ?? null;
}

export async function supersedeBlobs(q: Q, requestId: string, at: Date): Promise<void> {
  await q.update(b).set({ supersededAt: at }).where(and(eq(b.requestId, requestId), isNull(b.supersededAt)));
}

export async function insertBlob(q: Q, values: Omit<BlobRow, "supersededAt"> & { ciphertext: Buffer }): Promise<void> {
  await q.insert(b).values(values);
}

// --- approvals ----------------------------------------------------------------------------------------------

export async function insertApproval(q: Q, values: Omit<ApprovalRow, "id">): Promise<ApprovalRow> {
  const [row] = await q.insert(a).values(values).returning(approvalColumns);
  if (!row) throw new Error("INSERT approvals returned no row");
  return row;
}

export async function approvalsOf(q: Q, requestId: string): Promise<ApprovalRow[]> {
  return q.select(approvalColumns).from(a).where(eq(a.requestId, requestId)).orderBy(asc(a.createdAt));
}

/** The approvals of many requests in one query, each request's oldest first. */
export async function approvalsOfRequests(q: Q, requestIds: readonly string[]): Promise<Map<string, ApprovalRow[]>> {
  const out = new Map<string, ApprovalRow[]>(requestIds.map((id) => [id, []]));
  if (requestIds.length === 0) return out;
  const rows = await q.select(approvalColumns).from(a).where(inArray(a.requestId, [...requestIds])).orderBy(asc(a.createdAt));
  for (const row of rows) out.get(row.requestId)?.push(row);
  return out;
}

/** Approvals that count now: of the current blob (or, for a deletion, of the request). */
export async function countApprovals(q: Q, requestId: string, blobId: string | null): Promise<number> {
  const rows = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(a)
    .where(and(eq(a.requestId, requestId), eq(a.decision, "approve"), blobId ? eq(a.wrappedBlobId, blobId) : isNull(a.wrappedBlobId)));
  return rows[0]?.n ?? 0;
}

// --- lists for pages ----------------------------------------------------------------------------------------

/** A request with what a list shows beside it: the key's first alias, the current token and blob. */
export type RequestListRow = RequestRow & {
  alias: string | null;
  /** The current parameter set's id (null before any were issued): downloads name the set they handed out. */
  parameterSetId: string | null;
  parametersValidTo: Date | null;
  publicKeySha256: string | null;
  importTokenSha256: string | null;
  blobId: string | null;
  blobSha256: string | null;
  blobSize: number | null;
  uploadedBySubject: string | null;
  uploadedByName: string | null;
};

export function listSelect(q: Q) {
  return (
    q
      .select({
        ...requestColumns,
        // The alias is the inventory's (read-only join): requests keep no copy that could go stale.
        alias: sql<string | null>`${k.aliases}[1]`,
        parameterSetId: p.id,
        parametersValidTo: p.parametersValidTo,
        publicKeySha256: p.publicKeySha256,
        importTokenSha256: p.importTokenSha256,
        blobId: b.id,
        blobSha256: b.sha256,
        blobSize: b.size,
        uploadedBySubject: b.uploadedBySubject,
        uploadedByName: b.uploadedByName,
      })
      .from(r)
      .leftJoin(k, and(eq(k.targetId, r.targetId), eq(k.region, r.region), eq(k.keyId, r.keyId)))
      .leftJoin(p, and(eq(p.requestId, r.id), isNull(p.supersededAt)))
      .leftJoin(b, and(eq(b.requestId, r.id), isNull(b.supersededAt)))
  );
}

export async function getRequestListRow(q: Q, id: string): Promise<RequestListRow | null> {
  const rows = await listSelect(q).where(eq(r.id, id)).limit(1);
  return rows[0] ?? null;
}

/**
 * Whether a request's import token has passed and the request counts as expired though the sweep has not yet
 * recorded it: `effectiveState` (./states.ts) in SQL, over `listSelect`'s current parameter set. A deletion
 * has no token, and a rotation whose material is in KMS can only be retried or cancelled.
 */
export function expiredByToken(now: Date): SQL {
  return sql`coalesce(${p.parametersValidTo} <= ${now}
    AND ${r.state} IN ('parameters_issued', 'awaiting_approval', 'failed')
    AND ${r.kind} <> 'delete_material'
    AND NOT (${r.kind} = 'rotate' AND ${r.keyMaterialId} IS NOT NULL), false)`;
}

export type RequestListFilter = {
  states?: readonly RequestState[];
  /** Requests whose effective state at `now` is one of these (see expiredByToken). */
  effective?: { states: readonly RequestState[]; now: Date };
  open?: boolean;
  key?: { targetId: string; region: string; keyId: string };
};

function requestListWhere(filter: RequestListFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.states?.length) conditions.push(inArray(r.state, [...filter.states]));
  if (filter.effective) {
    const states = sql.join(filter.effective.states.map((state) => sql`${state}`), sql`, `);
    conditions.push(sql`(CASE WHEN ${expiredByToken(filter.effective.now)} THEN 'expired' ELSE ${r.state}::text END) IN (${states})`);
  }
  if (filter.open) conditions.push(openCondition());
  if (filter.key) conditions.push(eq(r.targetId, filter.key.targetId), eq(r.region, filter.key.region), eq(r.keyId, filter.key.keyId));
  return conditions.length ? and(...conditions) : undefined;
}

/** Requests newest first: at most `limit`, after skipping `offset` (a page of the full list). */
export async function listRequests(q: Q, filter: RequestListFilter, limit = 200, offset = 0): Promise<RequestListRow[]> {
  return listSelect(q).where(requestListWhere(filter)).orderBy(desc(r.updatedAt), desc(r.id)).limit(limit).offset(offset);
}

/** How many requests `filter` matches (the full list's pages). */
export async function countRequests(q: Q, filter: RequestListFilter): Promise<number> {
  const [row] = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(r)
    .leftJoin(p, and(eq(p.requestId, r.id), isNull(p.supersededAt)))
    .where(requestListWhere(filter));
  return row?.n ?? 0;
}

/** Counts per state, for the filter tabs. */
export async function countByState(q: Q): Promise<Partial<Record<RequestState, number>>> {
  const rows = await q.select({ state: r.state, n: sql<number>`count(*)::int` }).from(r).groupBy(r.state);
  return Object.fromEntries(rows.map((row) => [row.state, row.n]));
}

/** The newest open request of each of these keys (for the keys table). */
export async function openRequestsForKeys(
  q: Q,
  keys: ReadonlyArray<{ targetId: string; region: string; keyId: string }>,
): Promise<Array<Pick<RequestRow, "id" | "kind" | "state" | "targetId" | "region" | "keyId" | "keyMaterialId"> & { parametersValidTo: Date | null }>> {
  if (keys.length === 0) return [];
  const keyIds = [...new Set(keys.map((key) => key.keyId))];
  const rows = await q
    .select({
      id: r.id,
      kind: r.kind,
      state: r.state,
      targetId: r.targetId,
      region: r.region,
      keyId: r.keyId,
      keyMaterialId: r.keyMaterialId,
      parametersValidTo: p.parametersValidTo,
    })
    .from(r)
    .leftJoin(p, and(eq(p.requestId, r.id), isNull(p.supersededAt)))
    .where(and(inArray(r.keyId, keyIds), openCondition()))
    .orderBy(desc(r.createdAt));
  const wanted = new Set(keys.map((key) => `${key.targetId}|${key.region}|${key.keyId}`));
  return rows.filter((row) => wanted.has(`${row.targetId}|${row.region}|${row.keyId}`));
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

/** Requests in `states` whose current token expires after `from` and by `to` (the notice before expiry). */
export async function parametersExpiringWithin(q: Q, from: Date, to: Date, states: readonly RequestState[]): Promise<RequestListRow[]> {
  return listSelect(q)
    .where(and(inArray(r.state, [...states]), gt(p.parametersValidTo, from), lte(p.parametersValidTo, to)))
    .orderBy(asc(p.parametersValidTo))
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

// --- change stamps (pages follow what others do) ------------------------------------------------------

/** Changes whenever a request is created, changes state, or gets an approval: what the approvals queue shows. */
export async function requestsStamp(q: Q): Promise<string> {
  const [requests] = await q.select({ n: sql<number>`count(*)::int`, versions: sql<number>`coalesce(sum(${r.version}), 0)::int` }).from(r);
  const [approvals] = await q.select({ n: sql<number>`count(*)::int` }).from(a);
  return `${requests?.n ?? 0}.${requests?.versions ?? 0}.${approvals?.n ?? 0}`;
}

export async function requestVersion(q: Q, requestId: string): Promise<number | null> {
  const [row] = await q.select({ version: r.version }).from(r).where(eq(r.id, requestId));
  return row?.version ?? null;
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
