import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, rmSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { openSecret, sealSecret, secretAad, sha256Hex } from "@/lib/crypto";
import { createDatabase, defaultMigrationsFolder, type Db } from "./client";
import { closeDb, getDatabase, getDb } from "./index";
import { approvals, importRequests, parameterSets, wrappedBlobs } from "./schema";
import { createTestDatabase, testDrivers, type TestDatabase } from "./testing";

const run = promisify(execFile);

const journal = JSON.parse(readFileSync(path.join(defaultMigrationsFolder(), "meta", "_journal.json"), "utf8")) as {
  entries: { tag: string }[];
};

async function appliedMigrations(db: Db): Promise<number> {
  const r = await db.execute<{ n: number }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return r.rows[0]!.n;
}

async function tableNames(db: Db): Promise<string[]> {
  const r = await db.execute<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
  );
  return r.rows.map((row) => row.table_name);
}

describe.each(testDrivers())("database on %s", (driver) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(driver, { migrate: false });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("applies the migrations, and applying them again changes nothing", async () => {
    await t.database.migrate();
    expect(await appliedMigrations(t.database.db)).toBe(journal.entries.length);
    expect(await tableNames(t.database.db)).toEqual([
      "approvals",
      "audit_events",
      "drift_findings",
      "drift_watch",
      "import_requests",
      "inventory_keys",
      "inventory_material_summaries",
      "inventory_refreshes",
      "leases",
      "notification_outbox",
      "parameter_sets",
      "schedule_facts",
      "schedule_policies",
      "schedule_rotations_due",
      "sessions",
      "settings",
      "wrapped_blobs",
    ]);
    await t.database.migrate();
    expect(await appliedMigrations(t.database.db)).toBe(journal.entries.length);
  });

  it.runIf(driver === "postgres")("switches JIT compilation off for its PostgreSQL sessions", async () => {
    // Every connection of the pool, not only the first: hold several at once.
    const shown = await Promise.all(Array.from({ length: 4 }, () => t.database.db.execute(sql`SHOW jit`)));
    for (const result of shown) expect(JSON.stringify(result)).toContain('"jit":"off"');
  });

  it("pings with the server version", async () => {
    const p = await t.database.ping();
    expect(p).toMatchObject({ ok: true, driver });
    expect(p.serverVersion).toMatch(/^PostgreSQL \d+/);
    expect(p.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("stores import tokens and wrapped blobs only as ciphertext", async () => {
    const db = t.database.db;
    const dataKey = randomBytes(32);
    const token = Buffer.concat([Buffer.from("IMPORT-TOKEN-PLAINTEXT-MARKER:"), randomBytes(64)]);
    const blob = Buffer.concat([Buffer.from("WRAPPED-BLOB-PLAINTEXT-MARKER:"), randomBytes(256)]);
    const publicKey = randomBytes(294);
    const at = new Date("2026-03-01T10:00:00.000Z");

    const [request] = await db
      .insert(importRequests)
      .values({
        kind: "import",
        targetId: "prod",
        region: "eu-west-1",
        keyArn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
        keySpec: "SYMMETRIC_DEFAULT",
        state: "parameters_issued",
        wrappingAlgorithm: "RSAES_OAEP_SHA_256",
        wrappingKeySpec: "RSA_4096",
        justification: "test",
        requestedBySubject: "alice",
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: importRequests.id });
    const parameterSetId = randomUUID();
    await db.insert(parameterSets).values({
      id: parameterSetId,
      requestId: request!.id,
      wrappingAlgorithm: "RSAES_OAEP_SHA_256",
      wrappingKeySpec: "RSA_4096",
      publicKey,
      publicKeySha256: sha256Hex(publicKey),
      importTokenCiphertext: sealSecret(token, dataKey, secretAad("parameter_set.import_token", parameterSetId)),
      importTokenSha256: sha256Hex(token),
      parametersValidTo: new Date(at.getTime() + 24 * 3600_000),
      issuedBySubject: "alice",
      issuedAt: at,
    });
    const blobId = randomUUID();
    await db.insert(wrappedBlobs).values({
      id: blobId,
      requestId: request!.id,
      parameterSetId,
      ciphertext: sealSecret(blob, dataKey, secretAad("wrapped_blob.ciphertext", blobId)),
      sha256: sha256Hex(blob),
      size: blob.length,
      uploadedBySubject: "alice",
      uploadedAt: at,
    });

    // Search the raw bytea for the plaintext bytes (position() on bytea is a byte-substring search).
    const raw = await db.execute<{ token_hits: number; blob_hits: number; token_marker: number; public_key_ok: boolean }>(sql`
      select
        (select count(*)::int from parameter_sets where position(${token}::bytea in import_token_ciphertext) > 0) as token_hits,
        (select count(*)::int from wrapped_blobs where position(${blob}::bytea in ciphertext) > 0) as blob_hits,
        (select count(*)::int from parameter_sets p, wrapped_blobs w
          where position(${Buffer.from("PLAINTEXT-MARKER")}::bytea in p.import_token_ciphertext) > 0
             or position(${Buffer.from("PLAINTEXT-MARKER")}::bytea in w.ciphertext) > 0) as token_marker,
        (select public_key = ${publicKey}::bytea from parameter_sets where id = ${parameterSetId}) as public_key_ok
    `);
    expect(raw.rows[0]).toEqual({ token_hits: 0, blob_hits: 0, token_marker: 0, public_key_ok: true });

    const [stored] = await db
      .select({ ciphertext: parameterSets.importTokenCiphertext, publicKey: parameterSets.publicKey })
      .from(parameterSets)
      .where(sql`${parameterSets.id} = ${parameterSetId}`);
    expect(Buffer.isBuffer(stored!.ciphertext)).toBe(true);
    expect(stored!.publicKey.equals(publicKey)).toBe(true);
    expect(openSecret(stored!.ciphertext, dataKey, secretAad("parameter_set.import_token", parameterSetId)).equals(token)).toBe(true);
    // Bound to its row: the same ciphertext does not open as another row's token.
    expect(() => openSecret(stored!.ciphertext, dataKey, secretAad("parameter_set.import_token", blobId))).toThrow();

    // One decision per approver per blob.
    const decision = { requestId: request!.id, wrappedBlobId: blobId, approverSubject: "bob", decision: "approve" as const, createdAt: at };
    await db.insert(approvals).values(decision);
    await expect(db.insert(approvals).values(decision)).rejects.toThrow();
    // A second current parameter set for the same request is refused.
    await expect(
      db.insert(parameterSets).values({
        requestId: request!.id,
        wrappingAlgorithm: "RSAES_OAEP_SHA_256",
        wrappingKeySpec: "RSA_4096",
        publicKey,
        publicKeySha256: sha256Hex(publicKey),
        importTokenCiphertext: Buffer.from([1]),
        importTokenSha256: "x",
        parametersValidTo: at,
        issuedBySubject: "alice",
        issuedAt: at,
      }),
    ).rejects.toThrow();
  });
});

describe.each(testDrivers())("concurrent migration on %s", (driver) => {
  it("two concurrent migrate() calls on one database apply each migration once", async () => {
    // PGlite is a single in-process connection and two processes cannot share its directory, so for PGlite
    // this is the whole story; on PostgreSQL it exercises the advisory lock between two pools.
    const t = await createTestDatabase(driver, { migrate: false });
    try {
      if (t.url) {
        const other = await createDatabase({ url: t.url, maxConnections: 2 });
        try {
          await Promise.all([t.database.migrate(), other.migrate(), t.database.migrate()]);
        } finally {
          await other.close();
        }
      } else {
        await Promise.all([t.database.migrate(), t.database.migrate()]);
      }
      expect(await appliedMigrations(t.database.db)).toBe(journal.entries.length);
    } finally {
      await t.cleanup();
    }
  });
});

// Two processes cannot share one PGlite directory, so this is PostgreSQL's alone (it runs whenever
// DATABASE_URL is set, as in CI).
describe.runIf(testDrivers().includes("postgres"))("concurrent migration from two processes on postgres", () => {
  it("two processes migrating the same database at once both succeed, once", async () => {
    const t = await createTestDatabase("postgres", { migrate: false });
    try {
      const child = () =>
        run(process.execPath, ["--conditions=react-server", "--import", "tsx", "lib/db/migrate-child.ts", t.url!], {
          cwd: process.cwd(),
          timeout: 30_000,
        });
      const results = await Promise.all([child(), child()]);
      for (const r of results) expect(r.stdout).toContain("migrated");
      expect(await appliedMigrations(t.database.db)).toBe(journal.entries.length);
    } finally {
      await t.cleanup();
    }
  });
});

describe("PGlite", () => {
  it("keeps its shared buffers small: they live in Keyport's own memory", async () => {
    const t = await createTestDatabase("pglite", { migrate: false });
    try {
      const result = await t.database.db.execute<{ shared_buffers: string }>(sql`show shared_buffers`);
      expect(result.rows[0]?.shared_buffers).toBe("32MB");
    } finally {
      await t.cleanup();
    }
  });
});

describe("getDb (process-wide)", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "keyport-getdb-"));
  });
  afterEach(async () => {
    await closeDb();
    vi.unstubAllEnvs();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("opens the configured PGlite once, migrated, and shares it", async () => {
    vi.stubEnv("KEYPORT_MODE", "demo");
    vi.stubEnv("DATABASE_URL", "");
    vi.stubEnv("KEYPORT_DATA_DIR", dataDir);
    const [a, b] = await Promise.all([getDatabase(), getDatabase()]);
    expect(a).toBe(b);
    expect(a.driver).toBe("pglite");
    const db = await getDb();
    expect(await appliedMigrations(db)).toBe(journal.entries.length);
  });
});
