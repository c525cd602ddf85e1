import "server-only";
import { and, asc, eq, isNull } from "drizzle-orm";
import { tables } from "@/lib/db";
import type { Q } from "./request-rows";

/**
 * A request's parameter sets (wrapping public key and sealed import token) and wrapped blobs (sealed key
 * material): the sealed token and blob are selected only by `sealedImportToken` and `sealedBlob`.
 */

const p = tables.parameterSets;
const b = tables.wrappedBlobs;

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
