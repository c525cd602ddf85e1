import { z } from "zod";
import { AUDIT_ACTIONS } from "./events";

/**
 * The audit page's and the export's filters as they live in the URL. Malformed values fall back to "no
 * filter" on the page (a stale link still opens); the export route rejects them instead (422).
 */
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "use YYYY-MM-DD");

export const auditFilterFields = {
  action: z.enum(AUDIT_ACTIONS),
  from: day,
  to: day,
  request: z.string().uuid(),
};

export const auditPageQuerySchema = z.object({
  action: z.preprocess(first, auditFilterFields.action.optional().catch(undefined)),
  from: z.preprocess(first, auditFilterFields.from.optional().catch(undefined)),
  to: z.preprocess(first, auditFilterFields.to.optional().catch(undefined)),
  request: z.preprocess(first, auditFilterFields.request.optional().catch(undefined)),
  before: z.preprocess(first, z.coerce.number().int().min(1).optional().catch(undefined)),
});
export type AuditPageQuery = z.infer<typeof auditPageQuerySchema>;

export const auditExportQuerySchema = z.object({
  format: z.enum(["csv", "jsonl"]),
  action: auditFilterFields.action.optional(),
  from: auditFilterFields.from.optional(),
  to: auditFilterFields.to.optional(),
  request: auditFilterFields.request.optional(),
});

/** Days are UTC calendar days; `to` includes its whole day. */
export function toAuditFilter(q: { action?: (typeof AUDIT_ACTIONS)[number]; from?: string; to?: string; request?: string }) {
  return {
    ...(q.action ? { action: q.action } : {}),
    ...(q.from ? { from: new Date(`${q.from}T00:00:00Z`) } : {}),
    ...(q.to ? { to: new Date(Date.parse(`${q.to}T00:00:00Z`) + 24 * 3600_000) } : {}),
    ...(q.request ? { requestId: q.request } : {}),
  };
}

export function auditQueryString(q: Partial<AuditPageQuery> & { format?: string }): string {
  const params = new URLSearchParams();
  for (const key of ["format", "action", "from", "to", "request", "before"] as const) {
    const value = q[key];
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}
