/**
 * Test fixture (lib/db/db.test.ts): migrates the PostgreSQL database at argv[2] in a separate process, so
 * the test can start two at once. Run as `node --conditions=react-server --import tsx lib/db/migrate-child.ts <url>`
 * (the react-server condition makes `server-only` importable outside Next).
 */
import { createDatabase } from "./client";

async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url) throw new Error("usage: migrate-child.ts <postgres-url>");
  const database = await createDatabase({ url, maxConnections: 2 });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
  process.stdout.write("migrated\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
