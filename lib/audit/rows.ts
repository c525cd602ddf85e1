import "server-only";
import { and, eq, gte, ilike, inArray, like, lt, or, sql, type SQL } from "drizzle-orm";
import { auditEvents } from "@/lib/db/schema";
import type { AuditEvent, AuditFilter, JsonValue } from "./events";

/**
 * The columns every audit read selects, named rather than `select *`, so a column added to the table is read
 * (and can reach a page or an export) only once a reader asks for it.
 */
export const auditEventColumns = {
  seq: auditEvents.seq,
  id: auditEvents.id,
  at: auditEvents.at,
  action: auditEvents.action,
  actorKind: auditEvents.actorKind,
  actorSubject: auditEvents.actorSubject,
  actorName: auditEvents.actorName,
  actorRoles: auditEvents.actorRoles,
  targetId: auditEvents.targetId,
  region: auditEvents.region,
  keyArn: auditEvents.keyArn,
  requestId: auditEvents.requestId,
  kmsRequestId: auditEvents.kmsRequestId,
  details: auditEvents.details,
  prevHash: auditEvents.prevHash,
  hash: auditEvents.hash,
};

type AuditRow = {
  seq: number;
  id: string;
  at: Date;
  action: string;
  actorKind: "user" | "system";
  actorSubject: string;
  actorName: string | null;
  actorRoles: string[];
  targetId: string | null;
  region: string | null;
  keyArn: string | null;
  requestId: string | null;
  kmsRequestId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

/** An event as the table stores it: toAuditEvent's inverse, for appendAudit's insert. */
export function toAuditRow(e: AuditEvent): typeof auditEvents.$inferInsert {
  return {
    seq: e.seq,
    id: e.id,
    at: e.at,
    action: e.action,
    actorKind: e.actor.kind,
    actorSubject: e.actor.subject,
    actorName: e.actor.name,
    actorRoles: e.actor.roles,
    targetId: e.targetId,
    region: e.region,
    keyArn: e.keyArn,
    requestId: e.requestId,
    kmsRequestId: e.kmsRequestId,
    details: e.details,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

export function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    seq: row.seq,
    id: row.id,
    at: row.at,
    action: row.action,
    actor: { kind: row.actorKind, subject: row.actorSubject, name: row.actorName, roles: row.actorRoles },
    targetId: row.targetId,
    region: row.region,
    keyArn: row.keyArn,
    requestId: row.requestId,
    kmsRequestId: row.kmsRequestId,
    // jsonb holds only what appendAudit canonicalized, i.e. JSON values.
    details: row.details as { [key: string]: JsonValue },
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

/** WHERE conditions for a filter (combine with `and(...)`). */
export function auditFilterConditions(filter: AuditFilter): SQL[] {
  const c: SQL[] = [];
  if (filter.from) c.push(gte(auditEvents.at, filter.from));
  if (filter.to) c.push(lt(auditEvents.at, filter.to));
  if (filter.action !== undefined) {
    const actions: readonly string[] = typeof filter.action === "string" ? [filter.action] : filter.action;
    c.push(actions.length === 1 ? eq(auditEvents.action, actions[0]!) : inArray(auditEvents.action, [...actions]));
  }
  if (filter.requestId !== undefined) c.push(eq(auditEvents.requestId, filter.requestId));
  if (filter.requestIdPrefix !== undefined) c.push(like(auditEvents.requestId, `${escapeLike(filter.requestIdPrefix)}%`));
  if (filter.key !== undefined) {
    if ("idPrefix" in filter.key) c.push(like(auditEvents.keyArn, `%:key/${escapeLike(filter.key.idPrefix)}%`));
    else c.push(filter.key.arns.length > 0 ? inArray(auditEvents.keyArn, [...filter.key.arns]) : sql`false`);
  }
  if (filter.person !== undefined) {
    const person = filter.person.trim();
    c.push(
      or(
        eq(auditEvents.actorSubject, person),
        ilike(auditEvents.actorName, `%${escapeLike(person)}%`),
        // E-mail addresses are not a column: sign-ins (and refusals) record them in their details.
        sql`${auditEvents.actorSubject} IN (SELECT actor_subject FROM audit_events WHERE lower(details->>'email') = lower(${person}))`,
      )!,
    );
  }
  if (filter.targetId !== undefined) c.push(eq(auditEvents.targetId, filter.targetId));
  if (filter.region !== undefined) c.push(eq(auditEvents.region, filter.region));
  if (filter.keyArn !== undefined) c.push(eq(auditEvents.keyArn, filter.keyArn));
  if (filter.actorSubject !== undefined) c.push(eq(auditEvents.actorSubject, filter.actorSubject));
  return c;
}

/** `value` matched literally inside a LIKE pattern. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

export function whereAll(conditions: SQL[]): SQL | undefined {
  return conditions.length ? and(...conditions) : undefined;
}
