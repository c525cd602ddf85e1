import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditStandalone, verifyAudit } from "@/lib/audit";
import { acquireLease } from "@/lib/inventory/queries";
import type { Database } from "./client";
import { openDatabase } from "./index";
import { canAlterAuditTrail, roleOf } from "./roles";
import { testDatabaseUrl } from "./testing";

/**
 * Production's two roles on a real PostgreSQL server: the owner migrates and grants, Keyport connects as a
 * login role that can do its work but cannot change the audit trail or switch its triggers off.
 */

const base = testDatabaseUrl();

describe("roleOf", () => {
  it("reads the role a URL logs in as, and refuses a URL without one", () => {
    expect(roleOf("postgres://keyport_app:secret@db.internal:5432/keyport")).toBe("keyport_app");
    expect(roleOf("postgresql://app%2Drole@db/keyport")).toBe("app-role");
    expect(() => roleOf("postgres://db.internal/keyport")).toThrow(/names no user/);
  });
});

describe.runIf(base)("a schema owner and a runtime role on PostgreSQL", () => {
  const suffix = randomBytes(5).toString("hex");
  const databaseName = `keyport_test_roles_${suffix}`;
  const appRole = `keyport_app_${suffix}`;
  const urlFor = (user: string) => {
    const url = new URL(base!);
    url.username = user;
    url.password = "";
    url.pathname = `/${databaseName}`;
    return url.toString();
  };
  let ownerUrl: string;
  let appUrl: string;
  let admin: pg.Client;
  let app: Database;

  beforeAll(async () => {
    ownerUrl = urlFor(new URL(base!).username || "postgres");
    appUrl = urlFor(appRole);
    const adminUrl = new URL(base!);
    adminUrl.pathname = "/postgres";
    admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(databaseName)}`);
    await admin.query(`CREATE ROLE ${pg.escapeIdentifier(appRole)} LOGIN`);
    // What a deployment does at start-up: migrate and grant as the owner, then connect as Keyport's role.
    app = await openDatabase({ url: appUrl, migrationUrl: ownerUrl, dataDir: "unused" });
  });

  afterAll(async () => {
    await app?.close();
    await admin?.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(databaseName)} WITH (FORCE)`);
    await admin?.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(appRole)}`);
    await admin?.end();
  });

  it("lets Keyport's role do its work: append to the trail and write its other tables", async () => {
    await appendAuditStandalone(app.db, { action: "audit.verified", actor: "system", details: { by: "roles test" } });
    await expect(acquireLease(app.db, "t", "eu-west-1", "instance", new Date(), 60_000)).resolves.toBe(true);
    await expect(verifyAudit(app.db)).resolves.toMatchObject({ ok: true, count: 1 });
  });

  it("refuses Keyport's role any change to the audit trail, and switching its triggers off", async () => {
    for (const statement of [
      "UPDATE audit_events SET details = '{}'::jsonb",
      "DELETE FROM audit_events",
      "TRUNCATE audit_events",
      "ALTER TABLE audit_events DISABLE TRIGGER ALL",
      "DROP TRIGGER audit_events_no_update_delete ON audit_events",
    ]) {
      // Refused by privileges, not by the triggers (whose "append-only" message would mean the role could try).
      const error = await app.db.execute(sql.raw(statement)).then(() => null, (e: Error) => e);
      expect(String((error?.cause as Error | undefined)?.message), statement).toMatch(/^(permission denied for table audit_events|must be owner of (table|relation) audit_events)$/);
    }
    expect(await canAlterAuditTrail(app.db)).toEqual({ role: appRole, canAlter: false });
  });

  it("reports the owner as able to alter it (what the start-up warning looks for)", async () => {
    const owner = await openDatabase({ url: ownerUrl, migrationUrl: undefined, dataDir: "unused" });
    try {
      await expect(canAlterAuditTrail(owner.db)).resolves.toMatchObject({ canAlter: true });
    } finally {
      await owner.close();
    }
  });

  it("is idempotent: a second start migrates and grants again without harm", async () => {
    const again = await openDatabase({ url: appUrl, migrationUrl: ownerUrl, dataDir: "unused" });
    try {
      await expect(verifyAudit(again.db)).resolves.toMatchObject({ ok: true });
      expect((await canAlterAuditTrail(again.db)).canAlter).toBe(false);
    } finally {
      await again.close();
    }
  });
});
