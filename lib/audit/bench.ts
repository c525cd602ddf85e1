/**
 * `npm run bench:audit`: appends 100,000 audit events on each available driver (PGlite always; PostgreSQL
 * when DATABASE_URL is set, read by lib/db/testing.ts), then times verification and export. Each driver gets
 * a fresh database that is dropped (or deleted) afterwards.
 *
 *   AUDIT_BENCH_EVENTS=20000 npm run bench:audit     # a shorter run
 */
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";

// The audit modules start with `import "server-only"`, which only loads under the react-server export
// condition (as inside Next). Plain `tsx` lacks it, so re-run this script once with the condition set.
const CONDITION = "--conditions=react-server";
if (!process.execArgv.includes(CONDITION)) {
  const r = spawnSync(process.execPath, [...process.execArgv, CONDITION, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString("en-US")}/s`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function main(): Promise<void> {
  const { createTestDatabase, testDrivers } = await import("@/lib/db/testing");
  const audit = await import("./index");
  // A dev tool, like testing.ts: its own knob, not application configuration.
  const total = Number(process.env.AUDIT_BENCH_EVENTS ?? 100_000);
  const concurrentExtra = Math.min(10_000, Math.round(total / 10));
  const actors = [
    { subject: "alice", name: "Alice Custodian", roles: ["custodian"] },
    { subject: "bob", name: "Bob Approver", roles: ["approver"] },
  ];
  const actions = ["import.downloaded", "import.uploaded", "import.approved", "auth.sign_in"] as const;
  const eventFor = (i: number): Parameters<typeof audit.appendAuditStandalone>[1] => ({
    action: actions[i % actions.length]!,
    actor: actors[i % 2]!,
    targetId: "prod",
    region: "eu-west-1",
    keyArn: `arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-${String(i % 1000).padStart(12, "0")}`,
    requestId: `6f1c2d9e-0000-4000-8000-${String(i % 5000).padStart(12, "0")}`,
    details: { n: i, sha256: "ab".repeat(32), size: 512, wrappingAlgorithm: "RSAES_OAEP_SHA_256" },
  });

  console.log(`audit benchmark: ${total.toLocaleString("en-US")} sequential appends (one transaction each), then ${concurrentExtra.toLocaleString("en-US")} with 8 in flight`);
  console.log(`node ${process.version}, ${process.platform}/${process.arch}\n`);

  for (const driver of testDrivers()) {
    const t = await createTestDatabase(driver, { maxConnections: 8 });
    try {
      const { db } = t.database;
      const { serverVersion } = await t.database.ping();
      console.log(`[${driver}] ${serverVersion.split(" on ")[0]}`);

      let started = performance.now();
      for (let i = 0; i < total; i++) {
        await audit.appendAuditStandalone(db, eventFor(i));
        if ((i + 1) % 25_000 === 0 && i + 1 < total) process.stderr.write(`  … ${(i + 1).toLocaleString("en-US")}\n`);
      }
      let ms = performance.now() - started;
      console.log(`  append, sequential      ${total.toLocaleString("en-US")} events in ${seconds(ms)}  → ${rate(total, ms)}`);

      started = performance.now();
      let next = total;
      const end = total + concurrentExtra;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < end) await audit.appendAuditStandalone(db, eventFor(next++));
        }),
      );
      ms = performance.now() - started;
      console.log(`  append, 8 concurrent    ${concurrentExtra.toLocaleString("en-US")} events in ${seconds(ms)}  → ${rate(concurrentExtra, ms)}`);

      started = performance.now();
      const verified = await audit.verifyAudit(db);
      ms = performance.now() - started;
      if (!verified.ok) throw new Error(`verify failed: ${JSON.stringify(verified)}`);
      console.log(`  verify                  ${verified.count.toLocaleString("en-US")} events in ${seconds(ms)}  → ${rate(verified.count, ms)}`);

      for (const format of ["csv", "jsonl"] as const) {
        const rssBefore = process.memoryUsage().rss;
        let peakRss = rssBefore;
        let bytes = 0;
        started = performance.now();
        for await (const chunk of audit.exportAudit(db, { format })) {
          bytes += Buffer.byteLength(chunk);
          peakRss = Math.max(peakRss, process.memoryUsage().rss);
        }
        ms = performance.now() - started;
        console.log(
          `  export ${format.padEnd(5)}            ${mib(bytes)} in ${seconds(ms)}  (rss ${mib(rssBefore)} → peak ${mib(peakRss)})`,
        );
      }

      started = performance.now();
      const offline = await audit.verifyExport(audit.exportAudit(db, { format: "csv" }), { format: "csv" });
      ms = performance.now() - started;
      if (!offline.ok || offline.lastHash !== verified.lastHash) throw new Error(`export verify failed: ${JSON.stringify(offline)}`);
      console.log(`  export csv + verifyExport (streamed)  in ${seconds(ms)}  (last hash matches verify)\n`);
    } finally {
      await t.cleanup();
    }
  }
}
