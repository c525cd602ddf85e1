import "server-only";
import pg from "pg";
import { sql } from "drizzle-orm";
import type { Db } from "./client";

/**
 * Two PostgreSQL roles keep the audit trail out of Keyport's own reach. The append-only triggers on
 * audit_events (migration 0001) stop an UPDATE or DELETE, but the table's owner can disable them, and the
 * hash chain then only shows the edit after the fact. So in production the schema belongs to one role (it
 * runs the migrations: KEYPORT_MIGRATION_DATABASE_URL) and the app connects as another (DATABASE_URL) that
 * may read and write every table but may only read and append to audit_events.
 */

/** The role a PostgreSQL URL logs in as (what `current_user` will be). */
export function roleOf(url: string): string {
  const user = decodeURIComponent(new URL(url).username);
  if (!user) throw new Error("The database URL names no user; Keyport needs to know which role to grant.");
  return user;
}

/**
 * Run as the owner after migrating: gives `role` what Keyport needs on every table (today's and, through
 * default privileges, those later migrations create) and takes back changing or emptying the audit trail.
 * Idempotent; safe on every start.
 */
export async function grantRuntimeRole(owner: Db, role: string): Promise<void> {
  const r = sql.raw(pg.escapeIdentifier(role));
  await owner.transaction(async (tx) => {
    await tx.execute(sql`GRANT USAGE ON SCHEMA public TO ${r}`);
    await tx.execute(sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`);
    await tx.execute(sql`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`);
    await tx.execute(sql`REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_events FROM ${r}`);
  });
}

/**
 * Whether the connected role could change the audit trail or switch its protection off: it owns (or is a
 * member of the owner of) audit_events, is a superuser, or holds UPDATE, DELETE or TRUNCATE on it.
 */
export async function canAlterAuditTrail(db: Db): Promise<{ role: string; canAlter: boolean }> {
  const result = await db.execute<{ role: string; can_alter: boolean }>(sql`
    SELECT current_user::text AS role,
      (pg_has_role(current_user, c.relowner, 'MEMBER')
        OR has_table_privilege(c.oid, 'UPDATE')
        OR has_table_privilege(c.oid, 'DELETE')
        OR has_table_privilege(c.oid, 'TRUNCATE')) AS can_alter
    FROM pg_class c WHERE c.oid = 'audit_events'::regclass`);
  const row = result.rows[0];
  if (!row) throw new Error("audit_events does not exist: the database has not been migrated.");
  return { role: row.role, canAlter: row.can_alter };
}
