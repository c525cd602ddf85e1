import { appendAuditStandalone } from "@/lib/audit";
import { defineRoute } from "@/lib/auth";
import { now } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { KEY_AGE_EXPORT_MAX_ROWS, keyAgeReport } from "@/lib/imports/key-age-report";
import { keyAgeCsv, keyAgeFilename } from "@/lib/inventory/key-age-csv";
import { keyAgeExportQuerySchema } from "@/lib/inventory/schemas";

export const dynamic = "force-dynamic";

/**
 * GET /api/reports/key-age/export?target=&region=&age=&q=: the key-age report's rows for those filters as CSV,
 * for the people who hand evidence on (`imports.export`: auditors and admins), as the pending export is. At
 * most KEY_AGE_EXPORT_MAX_ROWS rows (X-Keyport-Truncated says when more matched). Every export is recorded —
 * who, which filters, how many rows — before the file is handed over. A malformed filter is a 400 from the guard.
 */
export const GET = defineRoute(
  { name: "keyAgeExport", permission: "imports.export", query: keyAgeExportQuerySchema },
  async (_request, { session, query }) => {
    const db = await getDb();
    const config = getConfig();
    const at = now();
    const filter = { targetId: query.target, region: query.region, bucket: query.age, text: query.q };
    const { rows, total } = await keyAgeReport({ db, now: () => at }, filter, { page: 1, pageSize: KEY_AGE_EXPORT_MAX_ROWS });
    const truncated = total > rows.length;
    await appendAuditStandalone(db, {
      action: "inventory.key_age_exported",
      actor: { subject: session.user.id, name: session.user.name, roles: session.user.roles },
      at,
      details: { format: "csv", filters: { target: query.target, region: query.region, age: query.age, q: query.q }, rows: rows.length, truncated },
    });
    const accounts = new Map(config.targets.map((t) => [t.id, t.name]));
    const body = keyAgeCsv(
      rows.map(({ key, age, lastImport }) => ({
        accountName: accounts.get(key.targetId) ?? key.targetId,
        accountId: key.accountId,
        region: key.region,
        keyId: key.keyId,
        alias: key.aliases[0] ?? null,
        keySpec: key.keySpec,
        keyState: key.keyState,
        age,
        lastImport,
      })),
    );
    return new Response(body, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${keyAgeFilename(at)}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Keyport-Truncated": String(truncated),
      },
    });
  },
);
