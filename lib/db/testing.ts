import "server-only";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { Logger } from "drizzle-orm";
import { createDatabase, type Database, type Driver } from "./client";

/**
 * Test and benchmark harness: real databases, one fresh database per caller.
 *
 * The one place outside lib/config that reads process.env: tests and `npm run bench:audit` run PostgreSQL
 * variants only when DATABASE_URL is set (CI sets it), and must not require the app's full configuration.
 */
export function testDatabaseUrl(): string | undefined {
  return process.env.DATABASE_URL?.trim() || undefined;
}

/** PGlite always; PostgreSQL too when DATABASE_URL is set. For `describe.each(testDrivers())`. */
export function testDrivers(): Driver[] {
  return testDatabaseUrl() ? ["pglite", "postgres"] : ["pglite"];
}

export type TestDatabase = {
  database: Database;
  /** PostgreSQL: the URL of the fresh database (to open more pools or child processes on it). */
  url: string | undefined;
  /** PGlite: the fresh data directory. */
  dataDir: string | undefined;
  /** Closes the database and drops it (PostgreSQL) or deletes its directory (PGlite). */
  cleanup(): Promise<void>;
};

export type TestDatabaseOptions = { migrate?: boolean; maxConnections?: number; logger?: Logger };

/**
 * A fresh, empty database: PGlite in a new temporary directory, or `CREATE DATABASE keyport_test_<random>`
 * on the server of DATABASE_URL (dropped by `cleanup`). Migrated unless `migrate: false`.
 */
export async function createTestDatabase(driver: Driver, opts: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const database = driver === "pglite" ? await freshPglite(opts.logger) : await freshPostgres(opts.maxConnections, opts.logger);
  if (opts.migrate !== false) {
    try {
      await database.database.migrate();
    } catch (e) {
      await database.cleanup();
      throw e;
    }
  }
  return database;
}

async function freshPglite(logger: Logger | undefined): Promise<TestDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "keyport-pglite-"));
  const database = await createDatabase({ dataDir, logger });
  return {
    database,
    url: undefined,
    dataDir,
    cleanup: async () => {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function freshPostgres(maxConnections: number | undefined, logger: Logger | undefined): Promise<TestDatabase> {
  const base = testDatabaseUrl();
  if (!base) throw new Error("DATABASE_URL is not set; PostgreSQL tests cannot run.");
  const name = `keyport_test_${randomBytes(6).toString("hex")}`;
  const admin = new URL(base);
  admin.pathname = "/postgres";
  await withAdmin(admin.toString(), (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await createDatabase({ url: url.toString(), maxConnections, logger });
  return {
    database,
    url: url.toString(),
    dataDir: undefined,
    cleanup: async () => {
      await database.close();
      // WITH (FORCE) (PostgreSQL 13+) also ends connections a failed test left behind.
      await withAdmin(admin.toString(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
