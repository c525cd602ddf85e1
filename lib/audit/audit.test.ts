import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "@/lib/clock";
import type { Db } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import {
  GENESIS_HASH,
  SYSTEM_ACTOR,
  appendAudit,
  appendAuditStandalone,
  auditHead,
  computeEventHash,
  exportAudit,
  exportAuditStream,
  listAuditEvents,
  parseAuditExport,
  verifyAudit,
  verifyExport,
  type AuditEvent,
  type AuditEventInput,
} from "./index";

const alice = { subject: "alice", name: "Alice Custodian", roles: ["custodian"] };
const bob = { subject: "bob", name: 'Bob "Bobby", Approver\nsecond line', roles: ["approver", "auditor"] };

function event(overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    action: "import.uploaded",
    actor: alice,
    targetId: "prod",
    region: "eu-west-1",
    keyArn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    requestId: "6f1c2d9e-0000-4000-8000-000000000001",
    details: { sha256: "ab".repeat(32), size: 512 },
    ...overrides,
  };
}

/** Every message in an error's cause chain (drizzle wraps driver errors). */
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const parts: string[] = [];
    for (let c: unknown = e; c instanceof Error; c = c.cause) parts.push(c.message);
    return parts.join(" | ");
  }
  throw new Error("expected the statement to be refused");
}

/** Runs statements with the append-only triggers disabled, as a superuser could; restores them in the same transaction. */
async function asSuperuser(db: Db, work: (db: Db) => Promise<unknown>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`ALTER TABLE audit_events DISABLE TRIGGER USER`);
    await work(tx);
    await tx.execute(sql`ALTER TABLE audit_events ENABLE TRIGGER USER`);
  });
}

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let s = "";
  for await (const c of chunks) s += c;
  return s;
}

function splitEvery(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

async function allEvents(db: Db): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let before: number | undefined;
  for (;;) {
    const page = await listAuditEvents(db, {}, { limit: 200, before });
    out.push(...page.events);
    if (page.nextBefore === null) return out.reverse();
    before = page.nextBefore;
  }
}

describe.each(testDrivers())("audit trail on %s", (driver) => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await createTestDatabase(driver, { maxConnections: 8 });
    db = t.database.db;
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("starts the chain at seq 1 from the genesis hash and links each event to the previous", async () => {
    expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 0, lastSeq: 0, lastHash: GENESIS_HASH, breaks: [] });
    const first = await appendAuditStandalone(db, event({ action: "auth.sign_in", at: new Date("2026-01-01T00:00:00.123Z") }));
    const second = await appendAuditStandalone(db, event({ actor: SYSTEM_ACTOR, action: "inventory.refresh_failed", keyArn: "" }));
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(first.at.toISOString()).toBe("2026-01-01T00:00:00.123Z");
    expect(first.hash).toBe(computeEventHash(GENESIS_HASH, first));
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash, keyArn: null });
    expect(second.actor).toEqual({ kind: "system", subject: "keyport", name: "Keyport", roles: [] });
    expect(await verifyAudit(db)).toMatchObject({ ok: true, count: 2, lastSeq: 2, lastHash: second.hash, breaks: [] });
    expect(await auditHead(db)).toMatchObject({ lastSeq: 2, lastHash: second.hash });
  });

  it("commits with the state change or not at all, leaving no gap", async () => {
    await expect(
      db.transaction(async (tx) => {
        await appendAudit(tx, event({ action: "import.approved", actor: bob }));
        throw new Error("the state change failed");
      }),
    ).rejects.toThrow("the state change failed");
    const next = await db.transaction((tx) => appendAudit(tx, event({ action: "import.approved", actor: bob })));
    expect(next.seq).toBe(3);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it("refuses events it cannot record faithfully", async () => {
    await expect(appendAuditStandalone(db, event({ action: "import.nonsense" as never }))).rejects.toThrow(/Unknown audit action/);
    await expect(appendAuditStandalone(db, event({ actor: { subject: "", roles: [] } }))).rejects.toThrow(/subject/);
    await expect(appendAuditStandalone(db, event({ details: { when: new Date() as never } }))).rejects.toThrow(TypeError);
    await expect(appendAuditStandalone(db, event({ details: { big: "x".repeat(70_000) } }))).rejects.toThrow(RangeError);
    expect((await auditHead(db)).lastSeq).toBe(3);
  });

  it("keeps one unbroken chain under 200 concurrent appends from 8 connections", async () => {
    const before = (await auditHead(db)).lastSeq;
    const appended = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        appendAuditStandalone(db, event({ action: "import.downloaded", actor: i % 2 ? alice : bob, details: { n: i } })),
      ),
    );
    const seqs = appended.map((e) => e.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(200);
    expect(seqs[0]).toBe(before + 1);
    expect(seqs[199]).toBe(before + 200);
    const verified = await verifyAudit(db, { batchSize: 37 });
    expect(verified).toMatchObject({ ok: true, count: before + 200, lastSeq: before + 200, lastHash: expect.any(String), breaks: [] });
    const prevs = await db.execute<{ n: number }>(sql`select count(distinct prev_hash)::int as n from audit_events`);
    expect(prevs.rows[0]!.n).toBe(before + 200); // no two events share a predecessor: no fork
  });

  // PostgreSQL only: PGlite runs one transaction at a time, so two appends cannot overlap there
  // (lib/imports/workflow.test.ts shows it). The caller's transaction holds the append lock until its commit.
  it.runIf(driver === "postgres")("makes a second append wait for the first one's commit, however long it stays open", async () => {
    const before = (await auditHead(db)).lastSeq;
    let second: Promise<AuditEvent> | undefined;
    let secondDone = false;
    await db.transaction(async (tx) => {
      await appendAudit(tx, event({ action: "import.downloaded", details: { n: "first" } }));
      second = appendAuditStandalone(db, event({ action: "import.downloaded", details: { n: "second" } })).finally(() => (secondDone = true));
      // Held open until the second append is queued on a lock (or done: then nothing made it wait).
      for (let i = 0; !secondDone; i++) {
        if (i === 1000) throw new Error("The second append neither waited nor finished.");
        const waiting = await db.execute<{ n: number }>(
          sql`select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid where not l.granted and a.datname = current_database()`,
        );
        if (waiting.rows[0]!.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });
    expect(await second).toMatchObject({ seq: before + 2 });
    expect(await verifyAudit(db)).toMatchObject({ ok: true, count: before + 2 });
  });

  it("refuses UPDATE, DELETE and TRUNCATE", async () => {
    expect(await refusal(db.update(auditEvents).set({ action: "auth.sign_out" }).where(sql`${auditEvents.seq} = 1`))).toMatch(
      /audit_events is append-only: UPDATE is not allowed/,
    );
    expect(await refusal(db.delete(auditEvents).where(sql`${auditEvents.seq} = 1`))).toMatch(
      /audit_events is append-only: DELETE is not allowed/,
    );
    expect(await refusal(db.execute(sql`TRUNCATE audit_events`))).toMatch(/audit_events is append-only: TRUNCATE is not allowed/);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it("detects and locates a row changed with the triggers disabled", async () => {
    const target = 5;
    const [row] = await db.select({ id: auditEvents.id, details: auditEvents.details }).from(auditEvents).where(sql`${auditEvents.seq} = ${target}`);
    await asSuperuser(db, (tx) => tx.execute(sql`UPDATE audit_events SET details = '{"n": 999}'::jsonb WHERE seq = ${target}`));
    expect(await verifyAudit(db, { batchSize: 3 })).toMatchObject({
      ok: false,
      breaks: [{ seq: target, id: row!.id, reason: "hash_mismatch" }],
    });
    await asSuperuser(db, (tx) => tx.update(auditEvents).set({ details: row!.details }).where(sql`${auditEvents.seq} = ${target}`));
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it("detects an edit whose hash was recomputed (at the next link) and a deleted row (as a gap)", async () => {
    const events = await allEvents(db);
    const victim = events[9]!;
    const forged = { ...victim, details: { n: -1 } };
    const forgedHash = computeEventHash(victim.prevHash, forged);
    await asSuperuser(db, (tx) =>
      tx.update(auditEvents).set({ details: forged.details, hash: forgedHash }).where(sql`${auditEvents.seq} = ${victim.seq}`),
    );
    expect(await verifyAudit(db)).toMatchObject({ ok: false, breaks: [{ seq: victim.seq + 1, reason: "prev_hash_mismatch" }] });
    await asSuperuser(db, (tx) =>
      tx.update(auditEvents).set({ details: victim.details, hash: victim.hash }).where(sql`${auditEvents.seq} = ${victim.seq}`),
    );

    const gone = events[19]!;
    await asSuperuser(db, (tx) => tx.delete(auditEvents).where(sql`${auditEvents.seq} = ${gone.seq}`));
    expect(await verifyAudit(db)).toMatchObject({
      ok: false,
      count: events.length - 1,
      breaks: [{ seq: gone.seq + 1, id: events[20]!.id, reason: "sequence_gap" }],
    });
    await asSuperuser(db, (tx) =>
      tx.insert(auditEvents).values({
        seq: gone.seq,
        id: gone.id,
        at: gone.at,
        action: gone.action,
        actorKind: gone.actor.kind,
        actorSubject: gone.actor.subject,
        actorName: gone.actor.name,
        actorRoles: gone.actor.roles,
        targetId: gone.targetId,
        region: gone.region,
        keyArn: gone.keyArn,
        requestId: gone.requestId,
        kmsRequestId: gone.kmsRequestId,
        details: gone.details,
        prevHash: gone.prevHash,
        hash: gone.hash,
      }),
    );
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it("exports CSV and JSON Lines that parse back to the same events and verify like the database", async () => {
    await appendAuditStandalone(
      db,
      event({
        actor: { subject: "carol@example.com", name: "", roles: [] },
        action: "import.failed",
        kmsRequestId: "0b8f7c1e-aaaa-bbbb-cccc-000000000000",
        details: { message: 'Line 1\r\nLine "2", comma', empty: "", nested: { arr: [1, "two", null, { k: false }] }, unicode: "ключ 🔑" },
      }),
    );
    const expected = await verifyAudit(db);
    expect(expected.ok).toBe(true);
    const stored = await allEvents(db);

    for (const format of ["csv", "jsonl"] as const) {
      const text = await collect(exportAudit(db, { format, batchSize: 17 }));
      const streamed = await new Response(exportAuditStream(db, { format, batchSize: 50 })).text();
      expect(streamed).toBe(text);
      if (format === "csv") expect(text.startsWith("seq,id,at,action,")).toBe(true);

      // Parsing back from arbitrarily split chunks gives exactly the stored events.
      const parsed: AuditEvent[] = [];
      for await (const e of parseAuditExport(splitEvery(text, 61), format)) parsed.push(e);
      expect(parsed).toEqual(stored);

      expect(await verifyExport(splitEvery(text, 1000), { format })).toEqual(expected);

      // A changed byte in the export is found, at the right event.
      const target = stored[6]!;
      const tampered =
        format === "csv"
          ? text.replace(`,${target.prevHash},`, `,${target.prevHash.replace(/^./, (c) => (c === "0" ? "1" : "0"))},`)
          : text
              .split("\n")
              .map((line, i) => (i === 6 ? line.replace(/"action":"[^"]+"/, '"action":"auth.sign_out"') : line))
              .join("\n");
      expect(tampered).not.toBe(text);
      // A changed prev_hash breaks the link and the event's own hash (prev_hash is hashed); the next link holds.
      expect(await verifyExport([tampered], { format })).toMatchObject({
        ok: false,
        breaks:
          format === "csv"
            ? [
                { seq: target.seq, reason: "prev_hash_mismatch" },
                { seq: target.seq, reason: "hash_mismatch" },
              ]
            : [{ seq: target.seq, reason: "hash_mismatch" }],
      });
    }
  });

  it("treats unknown members and broken lines in an export as malformed", async () => {
    const text = await collect(exportAudit(db, { format: "jsonl", batchSize: 500 }));
    const [first] = text.split("\n");
    expect(await verifyExport([first!.replace('"seq":1,', '"seq":1,"extra":1,')], { format: "jsonl" })).toMatchObject({
      ok: false,
      breaks: [{ seq: null, reason: "malformed", message: "Malformed audit export at record 1: unknown member extra" }],
    });
    expect(await verifyExport(["{not json\n"], { format: "jsonl" })).toMatchObject({ ok: false, breaks: [{ reason: "malformed" }] });
    expect(await verifyExport(["seq,id\r\n1,2\r\n"], { format: "csv" })).toMatchObject({ ok: false, breaks: [{ reason: "malformed" }] });
  });

  it("filters exports and lists, newest first with a keyset cursor", async () => {
    const total = (await auditHead(db)).lastSeq;
    const approved = await collect(exportAudit(db, { format: "jsonl", action: ["import.approved", "auth.sign_in"] }));
    const lines = approved.trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { action: string }).action).sort()).toEqual(["auth.sign_in", "import.approved"]);
    // Each event in a filtered export still proves itself; the links between them are not all there.
    expect(await verifyExport([approved], { format: "jsonl", complete: false })).toMatchObject({ ok: true, count: 2 });
    expect(await verifyExport([approved], { format: "jsonl" })).toMatchObject({ ok: false, breaks: [{ reason: "sequence_gap" }] });

    const inRange = await collect(
      exportAudit(db, { format: "csv", from: new Date("2026-01-01T00:00:00.000Z"), to: new Date("2026-01-01T00:00:00.124Z") }),
    );
    expect(inRange.trim().split("\r\n")).toHaveLength(2); // header + the sign-in at 00:00:00.123

    const page1 = await listAuditEvents(db, { actorSubject: "bob" }, { limit: 40 });
    expect(page1.events).toHaveLength(40);
    expect(page1.events.every((e) => e.actor.subject === "bob")).toBe(true);
    expect(page1.events[0]!.seq).toBeGreaterThan(page1.events[39]!.seq);
    const rest: AuditEvent[] = [];
    let before = page1.nextBefore;
    while (before !== null) {
      const page = await listAuditEvents(db, { actorSubject: "bob" }, { limit: 40, before });
      rest.push(...page.events);
      before = page.nextBefore;
    }
    expect(page1.events.length + rest.length).toBe(101); // 100 concurrent downloads + the approval
    expect(total).toBeGreaterThan(200);
    expect((await listAuditEvents(db, { requestId: "no-such-request" })).events).toEqual([]);
  });
});

describe.each(testDrivers())("audit times when the clock moves back, on %s", (driver) => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    db = t.database.db;
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it("orders by seq and holds `at` at the previous event's time instead of going backwards", async () => {
    const clock = fixedClock("2026-12-02T13:33:00Z");
    try {
      const first = await appendAuditStandalone(db, event({ action: "import.parameters_issued" }));
      // The demo clock is reset: Keyport's time jumps a day back.
      clock.set("2026-12-01T13:36:00Z");
      const second = await appendAuditStandalone(db, event({ action: "import.downloaded" }));
      // A caller's explicit time from before the jump is held too.
      const third = await db.transaction((tx) => appendAudit(tx, event({ action: "import.uploaded", at: new Date("2026-12-01T13:37:00Z") })));
      clock.set("2026-12-02T14:00:00Z");
      const fourth = await appendAuditStandalone(db, event({ action: "import.approved", actor: bob }));

      expect([first.seq, second.seq, third.seq, fourth.seq]).toEqual([1, 2, 3, 4]);
      expect(second.at.toISOString()).toBe("2026-12-02T13:33:00.000Z");
      expect(third.at.toISOString()).toBe("2026-12-02T13:33:00.000Z");
      expect(fourth.at.toISOString()).toBe("2026-12-02T14:00:00.000Z");
      // What was hashed is what was stored: the chain verifies with the held times.
      expect((await verifyAudit(db)).ok).toBe(true);
      const stored = await allEvents(db);
      for (let i = 1; i < stored.length; i++) expect(stored[i]!.at.getTime()).toBeGreaterThanOrEqual(stored[i - 1]!.at.getTime());
      expect(stored.map((e) => e.at.toISOString())).toEqual([first, second, third, fourth].map((e) => e.at.toISOString()));
    } finally {
      clock.restore();
    }
  });
});
