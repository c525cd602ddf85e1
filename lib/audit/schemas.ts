import { z } from "zod";
import { isCalendarDay, one, text } from "@/lib/validation";
import { AUDIT_ACTIONS, type AuditAction, type AuditFilter } from "./events";

/**
 * The audit page's and the export's filters as they live in the URL. Auditors type what the screens show:
 * a request's short id ("request 82ca661b"), a key's id, ARN or alias, a person's name, e-mail or id. A
 * filter that does not make sense is refused with a message saying how to write it — on the page as on the
 * export — and never dropped: dropping it would list every event under a filter the auditor believes applies.
 */
/** An empty form field means "no filter". */
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
/** One value per filter: `?person=a&person=b` is refused rather than silently filtering on one of them. */
const oneOptional = <S extends z.ZodType>(schema: S) => one(z.preprocess(blank, schema.optional()));

export { isCalendarDay };

const UUID_SHAPE = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
/** The first 8 or more characters of a lower-case UUID (the short form the screens show), or all of it. */
export function isUuidPrefix(value: string): boolean {
  if (value.length < 8 || value.length > UUID_SHAPE.length) return false;
  return [...value].every((c, i) => (UUID_SHAPE[i] === "-" ? c === "-" : /[0-9a-f]/.test(c)));
}

/** How an auditor names a key: its ARN, its id (or the id's first 8+ characters), or an alias. */
export type KeyRef = { kind: "arn"; arn: string } | { kind: "id"; prefix: string } | { kind: "alias"; alias: string };

export function parseKeyRef(raw: string): KeyRef | null {
  const value = raw.trim();
  const arn = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/(.+)$/.exec(value);
  if (arn) return arn[1] === "key" ? { kind: "arn", arn: value } : { kind: "alias", alias: `alias/${arn[2]}` };
  const id = value.toLowerCase();
  if (id.startsWith("mrk-") ? /^mrk-[0-9a-f]{8,32}$/.test(id) : isUuidPrefix(id)) return { kind: "id", prefix: id };
  // KMS alias names: letters, digits, "/", "_" and "-"; "alias/" may be left off.
  if (/^[A-Za-z0-9/_-]{1,256}$/.test(value) && value !== "alias/") return { kind: "alias", alias: value };
  return null;
}

const quoted = (v: unknown) => `"${String(v).slice(0, 40)}"`;

export const auditFilterFields = {
  action: z.enum(AUDIT_ACTIONS, { error: (issue) => `${quoted(issue.input)} is not an audit action: pick one from the list.` }),
  from: text().trim().refine(isCalendarDay, { error: (issue) => `${quoted(issue.input)} is not a calendar day: use YYYY-MM-DD, e.g. 2026-11-30.` }),
  to: text().trim().refine(isCalendarDay, { error: (issue) => `${quoted(issue.input)} is not a calendar day: use YYYY-MM-DD, e.g. 2026-11-30.` }),
  request: text()
    .trim()
    // "request 82ca661b" is how the trail shows it; accept it pasted as shown.
    .transform((v) => v.replace(/^request\s+/i, "").toLowerCase())
    .refine(isUuidPrefix, { error: "Give the request id as shown (its first 8 characters, e.g. 82ca661b) or in full." }),
  key: text()
    .trim()
    .max(2048)
    .refine((v) => parseKeyRef(v) !== null, { error: "Give a key id (or its first 8 characters), a key ARN, or an alias such as alias/payments/settlement-kek." }),
  person: text().trim().max(320, { error: "Give a name, an e-mail address or a person's id, at most 320 characters." }),
};

const filterShape = {
  action: oneOptional(auditFilterFields.action),
  from: oneOptional(auditFilterFields.from),
  to: oneOptional(auditFilterFields.to),
  request: oneOptional(auditFilterFields.request),
  key: oneOptional(auditFilterFields.key),
  person: oneOptional(auditFilterFields.person),
};

const orderedDays = (q: { from?: string; to?: string }, ctx: z.RefinementCtx) => {
  if (q.from && q.to && isCalendarDay(q.from) && isCalendarDay(q.to) && q.from > q.to)
    ctx.addIssue({ code: "custom", path: ["to"], message: `"To" (${q.to}) is before "From" (${q.from}): swap them.` });
};

/** The page: filters must be valid (the page says what is wrong); a malformed cursor just opens the newest page. */
export const auditPageQuerySchema = z
  .object({ ...filterShape, before: one(z.coerce.number().int().min(1).optional()).catch(undefined) })
  .superRefine(orderedDays);
export type AuditPageQuery = z.infer<typeof auditPageQuerySchema>;

export const auditExportQuerySchema = z
  .object({ format: one(z.enum(["csv", "jsonl"], { error: "Choose format=csv or format=jsonl." })), ...filterShape })
  .superRefine(orderedDays);

export type AuditFilterQuery = { action?: AuditAction; from?: string; to?: string; request?: string; key?: string; person?: string };

/**
 * The query's filters for lib/audit. Days are UTC calendar days; `to` includes its whole day. An alias is
 * resolved to the ARNs of the keys that carry it now (`keyArnsForAlias`, the inventory's), since events
 * record keys by ARN; an alias no key carries matches no event.
 */
export async function toAuditFilter(q: AuditFilterQuery, keyArnsForAlias: (alias: string) => Promise<string[]>): Promise<AuditFilter> {
  const key = q.key ? parseKeyRef(q.key) : null;
  return {
    ...(q.action ? { action: q.action } : {}),
    ...(q.from ? { from: new Date(`${q.from}T00:00:00Z`) } : {}),
    ...(q.to ? { to: new Date(Date.parse(`${q.to}T00:00:00Z`) + 24 * 3600_000) } : {}),
    ...(q.request ? (q.request.length === UUID_SHAPE.length ? { requestId: q.request } : { requestIdPrefix: q.request }) : {}),
    ...(key?.kind === "arn" ? { key: { arns: [key.arn] } } : {}),
    ...(key?.kind === "id" ? { key: { idPrefix: key.prefix } } : {}),
    ...(key?.kind === "alias" ? { key: { arns: await keyArnsForAlias(key.alias) } } : {}),
    ...(q.person ? { person: q.person } : {}),
  };
}

export function auditQueryString(q: Partial<AuditPageQuery> & { format?: string }): string {
  const params = new URLSearchParams();
  for (const key of ["format", "action", "from", "to", "request", "key", "person", "before"] as const) {
    const value = q[key];
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}
