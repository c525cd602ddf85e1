import "server-only";
import { asc, gt } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import type { AuditFilter } from "./events";
import { csvHeader, formatEvents, type AuditExportFormat } from "./export-format";
import { auditEventColumns, auditFilterConditions, toAuditEvent, whereAll } from "./rows";

export type AuditExportOptions = AuditFilter & {
  format: AuditExportFormat;
  /** Rows per query; each batch is yielded as one string. Default 1,000. */
  batchSize?: number;
};

/**
 * Streams the filtered events oldest first, one batch (keyset pagination on seq) at a time, so memory stays
 * flat however long the trail is. Yields the CSV header first. Formats: see export-format.ts.
 */
export async function* exportAudit(db: Db, opts: AuditExportOptions): AsyncGenerator<string> {
  const batchSize = opts.batchSize ?? 1000;
  const filter = auditFilterConditions(opts);
  if (opts.format === "csv") yield csvHeader();
  let after = 0;
  for (;;) {
    const rows = await db
      .select(auditEventColumns)
      .from(auditEvents)
      .where(whereAll([...filter, gt(auditEvents.seq, after)]))
      .orderBy(asc(auditEvents.seq))
      .limit(batchSize);
    if (rows.length > 0) yield formatEvents(opts.format, rows.map(toAuditEvent));
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]!.seq;
  }
}

/** `exportAudit` as a web stream of UTF-8 bytes, for a route handler's `new Response(...)`. */
export function exportAuditStream(db: Db, opts: AuditExportOptions): ReadableStream<Uint8Array> {
  const chunks = exportAudit(db, opts);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

export const AUDIT_EXPORT_CONTENT_TYPE: Record<AuditExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/x-ndjson; charset=utf-8",
};
