import "server-only";
import { describeForLog } from "@/lib/errors/internal";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { sql, type ExtractTablesWithRelations, type Logger } from "drizzle-orm";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { ADVISORY_LOCK } from "./locks";
import * as schema from "./schema";

export type Schema = typeof schema;

/**
 * What raw `db.execute(sql...)` returns on both drivers: pg's QueryResult and PGlite's Results both carry
 * `rows`. (Their row counts differ — `rowCount` vs `affectedRows` — so use `.returning()` to count rows.)
 */
export interface KeyportQueryResultHKT extends PgQueryResultHKT {
  type: QueryRows<this["row"]>;
}
export type QueryRows<Row> = { rows: Row[] };

/** The drizzle database, the same type for PGlite and PostgreSQL: domain code never asks which. */
export type Db = PgDatabase<KeyportQueryResultHKT, Schema>;
/** A transaction on `Db` (the `tx` of `db.transaction(async (tx) => ...)`). */
export type Tx = PgTransaction<KeyportQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export type Driver = "pglite" | "postgres";

export type Ping = { ok: true; driver: Driver; serverVersion: string; latencyMs: number };

export interface Database {
  readonly db: Db;
  readonly driver: Driver;
  /** Applies pending migrations (idempotent; serialized in-process and, on PostgreSQL, across processes). */
  migrate(): Promise<void>;
  /** `select version()` round trip, for /api/health. */
  ping(): Promise<Ping>;
  close(): Promise<void>;
}

export type CreateDatabaseOptions = {
  /** PostgreSQL URL (node-postgres pool). Takes precedence over `dataDir`. */
  url?: string;
  /** PGlite data directory (created if missing). Neither url nor dataDir: an in-memory PGlite. */
  dataDir?: string;
  /** node-postgres pool size (default 10). */
  maxConnections?: number;
  /** Defaults to `defaultMigrationsFolder()`. */
  migrationsFolder?: string;
  /** Sees every statement drizzle sends (benchmarks count them); none by default. */
  logger?: Logger;
};

/**
 * Where the generated SQL lives at run time. Resolved from the working directory, not from this module's
 * location: in the built Next server this file is bundled under .next/ and has no stable relative path to
 * lib/db/migrations, while the app (next start, npm run demo, tests) always runs from the repository root.
 */
export function defaultMigrationsFolder(): string {
  return path.join(process.cwd(), "lib", "db", "migrations");
}

/**
 * PostgreSQL's default 128 MB of shared buffers sits inside PGlite's WebAssembly memory, in Keyport's own
 * process. The embedded database holds a single instance's inventory and audit trail, and the operating
 * system caches its files anyway: 32 MB took a reopened database from about 280 to 186 MiB RSS with the audit
 * benchmark no slower (lib/db/db.test.ts checks the setting). pg_trgm backs the key list's search index (the
 * key_search migration); on PostgreSQL it comes with the server's contrib modules.
 */
const PGLITE_OPTIONS = { postgresqlconf: "shared_buffers = 32MB", extensions: { pg_trgm } };

// Two PGlite instances on one directory corrupt it; refuse rather than find out later.
const openPgliteDirs = new Set<string>();

/**
 * Opens a database. Does not migrate: call `migrate()` (getDb() does it once per process).
 */
export async function createDatabase(opts: CreateDatabaseOptions): Promise<Database> {
  const migrationsFolder = opts.migrationsFolder ?? defaultMigrationsFolder();
  if (opts.url) return createPostgres(opts.url, opts.maxConnections ?? 10, migrationsFolder, opts.logger);
  return createPglite(opts.dataDir, migrationsFolder, opts.logger);
}

/** Serializes calls to `run` within this process (a promise-chain mutex). */
function serialized(run: () => Promise<void>): () => Promise<void> {
  let tail: Promise<void> = Promise.resolve();
  return () => {
    const next = tail.then(run);
    tail = next.catch(() => undefined);
    return next;
  };
}

async function createPostgres(url: string, max: number, migrationsFolder: string, logger: Logger | undefined): Promise<Database> {
  // JIT off for Keyport's sessions: its queries read a page or count an index range, and with planner statistics
  // a count over 20,000 keys is costed high enough to be JIT-compiled, spending 15-20 ms compiling a query that
  // runs in 10. Set on each new connection before its first query, rather than as a startup option, which a
  // connection pooler in front of PostgreSQL may refuse.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: "keyport",
    onConnect: async (client: pg.ClientBase) => {
      await client.query("SET jit = off").catch((err: unknown) => console.warn(`[db] could not switch off JIT: ${describeForLog(err)}`));
    },
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would crash the process.
  // The next query simply gets a fresh connection.
  pool.on("error", (err) => console.error(`[db] idle PostgreSQL connection failed: ${describeForLog(err)}`));
  // Assignable without a cast: pg's QueryResult satisfies KeyportQueryResultHKT.
  const db: Db = drizzleNodePg({ client: pool, schema, logger });

  const migrate = serialized(async () => {
    // The advisory lock is per session, so lock, migrate and unlock on one dedicated connection.
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(`select pg_advisory_lock(${ADVISORY_LOCK.migrations})`);
      try {
        await migrateNodePg(drizzleNodePg({ client, schema }), { migrationsFolder });
      } finally {
        await client.query(`select pg_advisory_unlock(${ADVISORY_LOCK.migrations})`).catch((e: Error) => {
          broken = e;
        });
      }
    } catch (e) {
      broken = e instanceof Error ? e : new Error(String(e));
      throw e;
    } finally {
      // Destroying a connection that failed mid-way also drops its session lock on the server.
      client.release(broken);
    }
  });

  return {
    db,
    driver: "postgres",
    migrate,
    ping: () => ping(db, "postgres"),
    close: () => endPool(pool),
  };
}

/**
 * Ends the pool and waits until its connections are really closed: `pool.end()` resolves as soon as it has
 * asked them to end, and a DROP DATABASE right after (tests) would otherwise race the disconnects.
 */
async function endPool(pool: pg.Pool): Promise<void> {
  let open = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) return resolve();
    // A connection still checked out when close() is called ends when it is released; do not wait forever.
    const timer = setTimeout(resolve, 5000);
    timer.unref();
    pool.on("remove", () => {
      if (--open <= 0) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await pool.end();
  await closed;
}

async function createPglite(dataDir: string | undefined, migrationsFolder: string, logger: Logger | undefined): Promise<Database> {
  let dir: string | undefined;
  if (dataDir) {
    dir = path.resolve(dataDir);
    if (openPgliteDirs.has(dir)) throw new Error(`The PGlite data directory ${dir} is already open in this process.`);
    // PGlite does not create parent folders.
    mkdirSync(dir, { recursive: true });
    openPgliteDirs.add(dir);
  }
  let client: PGlite;
  try {
    client = dir ? await PGlite.create(dir, PGLITE_OPTIONS) : await PGlite.create(PGLITE_OPTIONS);
  } catch (e) {
    if (dir) openPgliteDirs.delete(dir);
    throw e;
  }
  const db: Db = drizzlePglite({ client, schema, logger });

  // PGlite is one connection, and a session may take the same advisory lock twice, so the in-process mutex
  // is what serializes concurrent callers here; the lock keeps the code path identical to PostgreSQL.
  const migrate = serialized(async () => {
    await client.query(`select pg_advisory_lock(${ADVISORY_LOCK.migrations})`);
    try {
      await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder });
    } finally {
      await client.query(`select pg_advisory_unlock(${ADVISORY_LOCK.migrations})`);
    }
  });

  let closed = false;
  return {
    db,
    driver: "pglite",
    migrate,
    ping: () => ping(db, "pglite"),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        if (dir) openPgliteDirs.delete(dir);
      }
    },
  };
}

async function ping(db: Db, driver: Driver): Promise<Ping> {
  // Wall-clock latency of the round trip, not domain time, so not lib/clock (which tests may freeze).
  const started = performance.now();
  const result = await db.execute<{ version: string }>(sql`select version() as version`);
  const latencyMs = Math.round((performance.now() - started) * 100) / 100;
  return { ok: true, driver, serverVersion: result.rows[0]?.version ?? "unknown", latencyMs };
}
