import { defineRoute } from "@/lib/auth";
import { nowMs } from "@/lib/clock";
import { getDb } from "@/lib/db";
import { AUDIT_EXPORT_CONTENT_TYPE, appendAuditStandalone, exportAuditStream } from "@/lib/audit";
import { auditExportQuerySchema, toAuditFilter } from "@/lib/audit/schemas";
import { keyArnsForAlias } from "@/lib/inventory";

export const dynamic = "force-dynamic";

/**
 * GET /api/audit/export?format=csv|jsonl[&action=&from=&to=&request=&key=&person=]: the filtered trail, oldest first,
 * streamed a batch at a time (memory stays flat however long the trail is). Each row carries prev_hash and
 * hash, so the file can be verified offline. The export itself is recorded first, so it appears in later ones.
 * Filters that do not parse (an impossible date, a request id too short to match) are a 400 from the guard,
 * before anything is recorded or streamed.
 */
export const GET = defineRoute({ name: "auditExport", permission: "audit.export", query: auditExportQuerySchema }, async (_request, { session, query }) => {
  const db = await getDb();
  const filter = await toAuditFilter(query, keyArnsForAlias);
  await appendAuditStandalone(db, {
    action: "audit.exported",
    actor: { subject: session.user.id, name: session.user.name, roles: session.user.roles },
    requestId: filter.requestId ?? null,
    details: {
      format: query.format,
      action: query.action ?? null,
      from: query.from ?? null,
      to: query.to ?? null,
      request: query.request ?? null,
      key: query.key ?? null,
      person: query.person ?? null,
    },
  });
  const stamp = new Date(nowMs()).toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  return new Response(exportAuditStream(db, { ...filter, format: query.format }), {
    headers: {
      "Content-Type": AUDIT_EXPORT_CONTENT_TYPE[query.format],
      "Content-Disposition": `attachment; filename="keyport-audit-${stamp}.${query.format}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
});
