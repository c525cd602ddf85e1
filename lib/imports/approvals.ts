import "server-only";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { tables } from "@/lib/db";
import type { Q } from "./request-rows";

/** The approvals and rejections recorded against requests. */

const a = tables.approvals;

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
