import "server-only";
import path from "node:path";
import { getConfig, type Config } from "@/lib/config";
import { createDatabase, type Database, type Db, type Tx } from "./client";
import { grantRuntimeRole, roleOf } from "./roles";

export { createDatabase, defaultMigrationsFolder } from "./client";
export type { CreateDatabaseOptions, Database, Db, Driver, Ping, Schema, Tx } from "./client";
export * as tables from "./schema";
export { canAlterAuditTrail } from "./roles";

/**
 * The PGlite directory inside the configured data directory (`KEYPORT_DATA_DIR`, default `.data`), leaving
 * room beside it for anything else Keyport keeps there.
 */
export function pgliteDirFor(dataDir: string): string {
  return path.resolve(dataDir, "pglite");
}

// On globalThis, not in a module variable: Next's dev server re-evaluates modules on every edit, and a second
// PGlite on the same directory would corrupt it (and a second pg pool would leak connections).
const state = globalThis as typeof globalThis & { __keyportDatabase?: Promise<Database> };

/**
 * Opens the database of `settings` and brings it up to date. With a migration URL the schema owner's
 * connection migrates and grants Keyport's role its privileges (roles.ts), then closes; Keyport itself
 * connects with the less privileged role.
 */
export async function openDatabase(settings: Config["database"]): Promise<Database> {
  if (settings.url && settings.migrationUrl) {
    const owner = await createDatabase({ url: settings.migrationUrl, maxConnections: 1 });
    try {
      await owner.migrate();
      const appRole = roleOf(settings.url);
      if (appRole !== roleOf(settings.migrationUrl)) await grantRuntimeRole(owner.db, appRole);
    } finally {
      await owner.close();
    }
    return createDatabase({ url: settings.url });
  }
  const opened = await createDatabase(settings.url ? { url: settings.url } : { dataDir: pgliteDirFor(settings.dataDir) });
  try {
    await opened.migrate();
  } catch (e) {
    await opened.close().catch(() => undefined);
    throw e;
  }
  return opened;
}

function openConfiguredDatabase(): Promise<Database> {
  return openDatabase(getConfig().database);
}

/**
 * The process-wide database (PostgreSQL when DATABASE_URL is set, else PGlite under the data directory),
 * opened and migrated on first use — never at import time, so `next build` does not touch it. A failed
 * open is not cached: the next call tries again.
 */
export function getDatabase(): Promise<Database> {
  if (!state.__keyportDatabase) {
    state.__keyportDatabase = openConfiguredDatabase().catch((e: unknown) => {
      state.__keyportDatabase = undefined;
      throw e;
    });
  }
  return state.__keyportDatabase;
}

/** The drizzle instance of `getDatabase()`, for domain query modules. */
export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

/**
 * Test seam: makes `database` the process-wide one that getDb() returns, for code that reaches the database
 * on its own (the guards' audit of refusals). Returns a function that puts the previous one back.
 */
export function useAsProcessDatabase(database: Database): () => void {
  const previous = state.__keyportDatabase;
  state.__keyportDatabase = Promise.resolve(database);
  return () => {
    state.__keyportDatabase = previous;
  };
}

/** Closes the process-wide database (tests, graceful shutdown). The next getDb() opens it again. */
export async function closeDb(): Promise<void> {
  const current = state.__keyportDatabase;
  state.__keyportDatabase = undefined;
  if (current) await (await current.catch(() => undefined))?.close();
}

/**
 * Runs `work` in one transaction (committed when it resolves, rolled back when it throws). State changes and
 * the audit events that record them go through the same `tx`.
 */
export function withTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(work);
}
