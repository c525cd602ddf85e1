import { appendAuditStandalone } from "@/lib/audit";
import { defineRoute } from "@/lib/auth";
import { now } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { pendingExportRows } from "@/lib/imports/pending";
import { PENDING_EXPORT_CONTENT_TYPE, pendingExportFilename, pendingExportQuerySchema, toCsv, toJson } from "@/lib/imports/pending-export";

export const dynamic = "force-dynamic";

/**
 * GET /api/imports/pending/export?list=keys-waiting|open-requests|expiring&format=csv|json[&target=&region=&q=
 * &expiry=&group=]: one list of the pending view of /imports as a file, with the page's filters and the same
 * rows the page shows (open requests carry who downloaded
 * their parameters, from the audit trail). Bounded (PENDING_EXPORT_MAX_ROWS; the JSON and an
 * X-Keyport-Truncated header say when a list held more). Every export is recorded — who, which list, which
 * format, how many rows — before the file is handed over. An unknown list, format or filter is a 400 from the guard.
 */
export const GET = defineRoute(
  { name: "pendingImportsExport", permission: "imports.export", query: pendingExportQuerySchema },
  async (_request, { session, query }) => {
    const db = await getDb();
    const config = getConfig();
    const at = now();
    const targets = new Map(config.targets.map((t) => [t.id, { name: t.name, accountId: t.accountId }]));
    const filter = { target: query.target, region: query.region, q: query.q, expiry: query.expiry };
    const { rows, truncated } = await pendingExportRows({ db, now: () => at }, query.list, {
      targets,
      warningDays: config.policy.expiryWarningDays,
      filter,
      group: query.group,
    });
    // The filters are part of what was exported: the trail says which slice left, not only which list.
    const filters = Object.fromEntries(Object.entries({ ...filter, group: query.group }).filter(([, v]) => v !== undefined));
    await appendAuditStandalone(db, {
      action: "import.pending_exported",
      actor: { subject: session.user.id, name: session.user.name, roles: session.user.roles },
      at,
      details: { list: query.list, format: query.format, rows: rows.length, truncated, ...(Object.keys(filters).length ? { filters } : {}) },
    });
    const body =
      query.format === "csv"
        ? toCsv(query.list, rows)
        : toJson(query.list, rows, { generatedAt: at, generatedBy: { id: session.user.id, name: session.user.name ?? null }, truncated });
    return new Response(body, {
      headers: {
        "Content-Type": PENDING_EXPORT_CONTENT_TYPE[query.format],
        "Content-Disposition": `attachment; filename="${pendingExportFilename(query.list, query.format, at)}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Keyport-Truncated": String(truncated),
      },
    });
  },
);
