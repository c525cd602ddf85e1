import { Readable } from "node:stream";
import { CsvError, parse as csvParser, type Options as CsvParseOptions } from "csv-parse";
import { stringify, type Options as CsvStringifyOptions } from "csv-stringify/sync";
import { canonicalContent, canonicalJson } from "./canonical";
import { TrailVerifier, type TrailVerifyOptions } from "./chain";
import type { AuditBreak, AuditEvent, AuditVerification, JsonValue } from "./events";

/**
 * Audit export formats, and reading them back (verifyExport). Pure: no database.
 *
 * JSON Lines: one event per line (LF), each line the canonical JSON (canonical.ts) of the hashed content
 * plus "prevHash" and "hash". To verify a line: remove those two members, canonicalize the rest, and
 * check SHA-256(prevHash ‖ that) = hash.
 *
 * CSV (RFC 4180, written by csv-stringify and read by csv-parse): CRLF line ends, a header row, fields quoted
 * when they contain `"`, `,`, CR or LF (quotes doubled). NULL is an empty unquoted field; an empty string is
 * `""` (PostgreSQL COPY's convention), so the content round-trips exactly. actor_roles and details are
 * canonical JSON in one field each; `at` is ISO 8601 UTC with milliseconds. A UTF-8 byte order mark, which
 * some tools add when they save the file, is skipped.
 *
 * Spreadsheet applications may treat a cell starting with = + - @ as a formula. Cells are not escaped for
 * that (escaping would change the hashed content); open exports as text.
 */

export type AuditExportFormat = "csv" | "jsonl";

export const CSV_COLUMNS = [
  "seq",
  "id",
  "at",
  "action",
  "actor_kind",
  "actor_subject",
  "actor_name",
  "actor_roles",
  "target_id",
  "region",
  "key_arn",
  "request_id",
  "kms_request_id",
  "details",
  "prev_hash",
  "hash",
] as const;

// Quote only what must be, and the empty string, so that NULL (an empty unquoted field) stays distinct from "".
const CSV_WRITE: CsvStringifyOptions = { record_delimiter: "\r\n", quoted_match: /^$/ };

function csvFields(e: AuditEvent): (string | null)[] {
  return [
    String(e.seq),
    e.id,
    e.at.toISOString(),
    e.action,
    e.actor.kind,
    e.actor.subject,
    e.actor.name,
    canonicalJson(e.actor.roles),
    e.targetId,
    e.region,
    e.keyArn,
    e.requestId,
    e.kmsRequestId,
    canonicalJson(e.details),
    e.prevHash,
    e.hash,
  ];
}

export function csvHeader(): string {
  return stringify([[...CSV_COLUMNS]], CSV_WRITE);
}

/** Several events at once: one csv-stringify call per batch rather than per event. */
export function toCsvLines(events: AuditEvent[]): string {
  return stringify(events.map(csvFields), CSV_WRITE);
}

/** An event as a JSON Lines export holds it: the hashed content plus "prevHash" and "hash". */
export function exportObject(e: AuditEvent): { [key: string]: JsonValue } {
  return { ...canonicalContent(e), prevHash: e.prevHash, hash: e.hash };
}

export function toJsonLine(e: AuditEvent): string {
  return `${canonicalJson(exportObject(e))}\n`;
}

/** A batch of events in an export format. */
export function formatEvents(format: AuditExportFormat, events: AuditEvent[]): string {
  return format === "csv" ? toCsvLines(events) : events.map(toJsonLine).join("");
}

// ---------------------------------------------------------------------------------------------------------
// Reading exports back
// ---------------------------------------------------------------------------------------------------------

export class MalformedExportError extends Error {
  constructor(
    message: string,
    readonly record: number,
  ) {
    super(`Malformed audit export at record ${record}: ${message}`);
    this.name = "MalformedExportError";
  }
}

type Chunks = AsyncIterable<string> | Iterable<string>;
type CsvRecord = (string | null)[];

const CSV_READ: CsvParseOptions = {
  bom: true,
  record_delimiter: ["\r\n", "\n"],
  skip_empty_lines: true,
  // Field counts are checked per record below, with a message that says what was expected.
  relax_column_count: true,
  // Everything stays text; an empty field is NULL unless it was quoted ("").
  cast: (value, context) => (context.quoting || value !== "" ? value : null),
};

/**
 * Text chunks as UTF-8 bytes for csv-parse, which reads bytes. A chunk may end between the two halves of a
 * surrogate pair (an emoji in a name); that half waits for the next chunk instead of becoming U+FFFD.
 */
async function* utf8(chunks: Chunks): AsyncGenerator<Buffer> {
  let carry = "";
  for await (const chunk of chunks) {
    let text = carry + chunk;
    const last = text.charCodeAt(text.length - 1);
    carry = last >= 0xd800 && last <= 0xdbff ? text.slice(-1) : "";
    if (carry) text = text.slice(0, -1);
    if (text) yield Buffer.from(text, "utf8");
  }
  if (carry) yield Buffer.from(carry, "utf8");
}

/**
 * The records of a CSV export, streaming: chunks may split lines and quoted fields anywhere. Accepts CRLF or
 * LF line ends; skips blank lines.
 */
export async function* csvRecords(chunks: Chunks): AsyncGenerator<CsvRecord> {
  const source = Readable.from(utf8(chunks));
  const parser = csvParser(CSV_READ);
  source.on("error", (error) => parser.destroy(error));
  source.pipe(parser);
  let records = 0;
  try {
    for await (const record of parser as AsyncIterable<CsvRecord>) {
      records += 1;
      yield record;
    }
  } catch (e) {
    if (e instanceof CsvError) throw new MalformedExportError(e.message, records + 1);
    throw e;
  } finally {
    source.destroy();
    parser.destroy();
  }
}

function requireText(v: unknown, name: string, n: number): string {
  if (typeof v !== "string" || v === "") throw new MalformedExportError(`${name} is missing`, n);
  return v;
}

function optionalText(v: unknown, name: string, n: number): string | null {
  if (v === null) return null;
  if (typeof v !== "string") throw new MalformedExportError(`${name} must be text or null`, n);
  return v;
}

function parseSeq(v: unknown, n: number): number {
  const seq = typeof v === "string" && /^[1-9]\d{0,15}$/.test(v) ? Number(v) : v;
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) throw new MalformedExportError("seq must be a positive integer", n);
  return seq;
}

function parseAt(v: unknown, n: number): Date {
  const text = requireText(v, "at", n);
  const at = new Date(text);
  if (Number.isNaN(at.getTime()) || at.toISOString() !== text) throw new MalformedExportError("at must be ISO 8601 UTC with milliseconds", n);
  return at;
}

function parseJson(text: string, name: string, n: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedExportError(`${name} is not JSON`, n);
  }
}

function asRoles(v: unknown, n: number): string[] {
  if (!Array.isArray(v) || v.some((r) => typeof r !== "string")) throw new MalformedExportError("actor roles must be an array of strings", n);
  return v as string[];
}

function asDetails(v: unknown, n: number): { [key: string]: JsonValue } {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new MalformedExportError("details must be a JSON object", n);
  return v as { [key: string]: JsonValue };
}

function asKind(v: unknown, n: number): "user" | "system" {
  if (v !== "user" && v !== "system") throw new MalformedExportError("actor kind must be user or system", n);
  return v;
}

function eventFromCsv(r: (string | null)[], n: number): AuditEvent {
  if (r.length !== CSV_COLUMNS.length) throw new MalformedExportError(`expected ${CSV_COLUMNS.length} fields, found ${r.length}`, n);
  const [seq, id, at, action, kind, subject, name, roles, targetId, region, keyArn, requestId, kmsRequestId, details, prevHash, hash] = r;
  return {
    seq: parseSeq(seq, n),
    id: requireText(id, "id", n),
    at: parseAt(at, n),
    action: requireText(action, "action", n),
    actor: {
      kind: asKind(kind, n),
      subject: requireText(subject, "actor_subject", n),
      name: optionalText(name, "actor_name", n),
      roles: asRoles(parseJson(requireText(roles, "actor_roles", n), "actor_roles", n), n),
    },
    targetId: optionalText(targetId, "target_id", n),
    region: optionalText(region, "region", n),
    keyArn: optionalText(keyArn, "key_arn", n),
    requestId: optionalText(requestId, "request_id", n),
    kmsRequestId: optionalText(kmsRequestId, "kms_request_id", n),
    details: asDetails(parseJson(requireText(details, "details", n), "details", n), n),
    prevHash: requireText(prevHash, "prev_hash", n),
    hash: requireText(hash, "hash", n),
  };
}

const JSONL_MEMBERS = new Set([
  "v",
  "seq",
  "id",
  "at",
  "action",
  "actor",
  "targetId",
  "region",
  "keyArn",
  "requestId",
  "kmsRequestId",
  "details",
  "prevHash",
  "hash",
]);

function eventFromJsonLine(line: string, n: number): AuditEvent {
  return eventFromExportObject(parseJson(line, "the line", n), n);
}

/** An export line's object (exportObject's shape) back as an event, checked member by member; record `n` names it in errors. */
export function eventFromExportObject(o: unknown, n: number): AuditEvent {
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new MalformedExportError("a line must be a JSON object", n);
  const r = o as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !JSONL_MEMBERS.has(k));
  if (unknown.length) throw new MalformedExportError(`unknown member ${unknown.join(", ")}`, n);
  if (r.v !== 1) throw new MalformedExportError(`unknown content version ${String(r.v)}`, n);
  const actor = r.actor as Record<string, unknown> | null;
  if (typeof actor !== "object" || actor === null) throw new MalformedExportError("actor must be an object", n);
  return {
    seq: parseSeq(r.seq, n),
    id: requireText(r.id, "id", n),
    at: parseAt(r.at, n),
    action: requireText(r.action, "action", n),
    actor: {
      kind: asKind(actor.kind, n),
      subject: requireText(actor.subject, "actor.subject", n),
      name: optionalText(actor.name ?? null, "actor.name", n),
      roles: asRoles(actor.roles, n),
    },
    targetId: optionalText(r.targetId ?? null, "targetId", n),
    region: optionalText(r.region ?? null, "region", n),
    keyArn: optionalText(r.keyArn ?? null, "keyArn", n),
    requestId: optionalText(r.requestId ?? null, "requestId", n),
    kmsRequestId: optionalText(r.kmsRequestId ?? null, "kmsRequestId", n),
    details: asDetails(r.details, n),
    prevHash: requireText(r.prevHash, "prevHash", n),
    hash: requireText(r.hash, "hash", n),
  };
}

/** Reads an export back into events, streaming (chunks may split lines and quoted fields anywhere). */
export async function* parseAuditExport(chunks: Chunks, format: AuditExportFormat): AsyncGenerator<AuditEvent> {
  let n = 0;
  if (format === "csv") {
    let header = true;
    for await (const record of csvRecords(chunks)) {
      if (header) {
        header = false;
        if (record.join(",") !== CSV_COLUMNS.join(",")) throw new MalformedExportError("the header row is not Keyport's", 0);
        continue;
      }
      yield eventFromCsv(record, ++n);
    }
    if (header) throw new MalformedExportError("the header row is missing", 0);
    return;
  }
  let rest = "";
  for await (const chunk of chunks) {
    const text = rest + chunk;
    let from = 0;
    let nl: number;
    while ((nl = text.indexOf("\n", from)) >= 0) {
      const line = text.slice(from, nl).replace(/\r$/, "");
      from = nl + 1;
      if (line.trim() !== "") yield eventFromJsonLine(line, ++n);
    }
    rest = text.slice(from);
  }
  if (rest.trim() !== "") yield eventFromJsonLine(rest, ++n);
}

/** An export record that could not be read as an event: the walk stops there. */
export type MalformedBreak = { seq: null; id: null; reason: "malformed"; message: string };

export type ExportVerification = AuditVerification<AuditBreak | MalformedBreak>;

/**
 * Verifies an export offline with the same rules as verifyAudit, checkpoints included (`publicKey`,
 * `keyArn`, `latestExternal`: see TrailVerifyOptions). `complete` (default true) expects the whole chain
 * from seq 1; pass false for a filtered export, where each event's own hash is checked and links only between
 * consecutive seqs, and checkpoints are not followed (their heads and predecessors may be filtered out).
 */
export async function verifyExport(
  chunks: Chunks,
  opts: TrailVerifyOptions & { format: AuditExportFormat; complete?: boolean },
): Promise<ExportVerification> {
  const trail = new TrailVerifier<MalformedBreak>(opts, opts.complete ?? true);
  try {
    for await (const event of parseAuditExport(chunks, opts.format)) trail.event(event);
  } catch (e) {
    if (!(e instanceof MalformedExportError)) throw e;
    trail.add({ seq: null, id: null, reason: "malformed", message: e.message });
    return trail.result(false);
  }
  return trail.result();
}
