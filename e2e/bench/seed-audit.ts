/**
 * Part of `npm run bench:pages`: fills a fresh Keyport database with audit events before the app starts on it,
 * so /audit is measured with a trail of an estate's size. The events form a valid chain, hashed by the audit
 * module's own code (the offline verifier accepts them), but are inserted a thousand rows to a statement: the
 * one-by-one append, with its lock, would take minutes for a hundred thousand.
 *
 * Then gives every account of the scale seed a schedule (reimport before ValidTo, new material every so many
 * days), set through lib/schedules' own store as a person would set it (audited, on the same chain), so
 * /schedules and the key pages' schedule cards are measured with every EXTERNAL key governed by a policy.
 *
 *   tsx --conditions=react-server e2e/bench/seed-audit.ts <count> <postgres URL | PGlite directory>
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { computeEventHash, GENESIS_HASH } from "@/lib/audit/canonical";
import type { AuditEvent } from "@/lib/audit/events";
import { toAuditRow } from "@/lib/audit/rows";
import { createDatabase, tables, type Db } from "@/lib/db";
import { SCALE_TARGETS } from "@/lib/emulator/seed";
import { setPolicy } from "@/lib/schedules/store";

const ACTIONS = ["import.downloaded", "import.uploaded", "import.approved", "auth.sign_in", "inventory.refresh_failed"] as const;
const ACTORS = [
  { kind: "user" as const, subject: "cora", name: "Cora Custodian", roles: ["custodian"] },
  { kind: "user" as const, subject: "ana", name: "Ana Approver", roles: ["approver"] },
];
const BATCH = 1000;
const SCHEDULE = { reimportDaysBefore: 30, rotateEveryDays: 90 };
const SCHEDULER = { subject: "ana", name: "Ana Approver", email: "ana@bench.keyport", roles: ["admin"] };

async function seedSchedules(db: Db): Promise<void> {
  const known = new Set<string>(SCALE_TARGETS.map((t) => t.id));
  for (const target of SCALE_TARGETS) {
    await setPolicy(db, SCHEDULER, { scope: "target", targetId: target.id }, SCHEDULE, new Date(), (id) => known.has(id));
  }
  console.log(`scheduled ${SCALE_TARGETS.length} accounts: reimport ${SCHEDULE.reimportDaysBefore} days before ValidTo, new material every ${SCHEDULE.rotateEveryDays} days`);
}

async function main(): Promise<void> {
  const [countArg, where] = process.argv.slice(2);
  const count = Number(countArg);
  if (!Number.isInteger(count) || count < 0 || !where) throw new Error("usage: seed-audit.ts <count> <postgres URL | PGlite directory>");
  const postgres = /^postgres(ql)?:\/\//.test(where);
  const database = await createDatabase(postgres ? { url: where, maxConnections: 1 } : { dataDir: where });
  try {
    await database.migrate();
    const started = performance.now();
    // An hour apart per thousand, ending now: a trail that spans months, as a real one would.
    const firstAt = Date.now() - count * 3_600;
    let prevHash = GENESIS_HASH;
    for (let from = 0; from < count; from += BATCH) {
      const rows = [];
      for (let i = from; i < Math.min(count, from + BATCH); i += 1) {
        const content = {
          seq: i + 1,
          id: randomUUID(),
          at: new Date(firstAt + i * 3_600),
          action: ACTIONS[i % ACTIONS.length]!,
          actor: ACTORS[i % ACTORS.length]!,
          targetId: "payments-production",
          region: "eu-west-1",
          keyArn: `arn:aws:kms:eu-west-1:222222222222:key/00000000-0000-4000-8000-${String(i % 2000).padStart(12, "0")}`,
          requestId: null,
          kmsRequestId: null,
          details: { n: i, sha256: "ab".repeat(32), size: 512 },
        };
        const event: AuditEvent = { ...content, prevHash, hash: computeEventHash(prevHash, content) };
        prevHash = event.hash;
        rows.push(toAuditRow(event));
      }
      await database.db.insert(tables.auditEvents).values(rows);
    }
    console.log(`seeded ${count} audit events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await seedSchedules(database.db);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
