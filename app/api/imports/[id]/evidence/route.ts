import { z } from "zod";
import { appendAuditStandalone } from "@/lib/audit";
import { defineRoute } from "@/lib/auth";
import { now } from "@/lib/clock";
import { getDb } from "@/lib/db";
import { evidenceFor } from "@/lib/imports/evidence";
import { requestIdSchema } from "@/lib/imports/schemas";

export const dynamic = "force-dynamic";

/**
 * GET the evidence record of a request as JSON (lib/audit/evidence-format.ts): its steps, its stretch of the
 * audit chain and the signed checkpoints around it, verifiable offline with `audit:verify --evidence`. Each
 * download is audited.
 */
export const GET = defineRoute(
  { name: "downloadEvidence", permission: "audit.export", params: z.object({ id: requestIdSchema }) },
  async (_request, { session, params }) => {
    const db = await getDb();
    const actor = { subject: session.user.id, name: session.user.name, roles: session.user.roles };
    const record = await evidenceFor(db, params.id, { subject: actor.subject, name: actor.name ?? null }, now());
    // Not under the request's id: the record would otherwise change (and lose its closing checkpoint) with every download.
    await appendAuditStandalone(db, { action: "audit.exported", actor, details: { format: "evidence", requestId: params.id, range: record.range } });
    return new Response(`${JSON.stringify(record, null, 2)}\n`, {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="keyport-evidence-${params.id.slice(0, 8)}.json"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  },
);
