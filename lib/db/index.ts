import "server-only";
import path from "node:path";
import { getConfig } from "@/lib/config";
import { createDatabase, type Database, type Db, type Tx } from "./client";

export { createDatabase, defaultMigrationsFolder } from "./client";
export type { CreateDatabaseOptions, Database, Db, Driver, Ping, Schema, Tx } from "./client";
export * as tables from "./schema";

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

async function openConfiguredDatabase(): Promise<Database> {
  const { database } = getConfig();
  const opened = await createDatabase(database.url ? { url: database.url } : { dataDir: pgliteDirFor(database.dataDir) });
  try {
    await opened.migrate();
  } catch (e) {
    await opened.close().catch(() => undefined);
    throw e;
  }
  return opened;
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
