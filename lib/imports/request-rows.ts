import "server-only";
import { sql, type SQL } from "drizzle-orm";
import type { Db, Tx } from "@/lib/db";
import { tables } from "@/lib/db";
import type { RequestKind, RequestState } from "./states";

/**
 * The request row as the import query modules select it (re-exported by ./queries): its type and its columns,
 * shared by the modules that read requests one at a time, move them, and list them.
 */

const r = tables.importRequests;

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

export const requestColumns = {
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

/** Requests that are not final (imported, rejected, cancelled). */
export function openCondition(): SQL {
  return sql`${r.state} NOT IN ('imported', 'rejected', 'cancelled')`;
}
