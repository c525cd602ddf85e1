import { sql } from "drizzle-orm";
import { beforeAll, afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { auditEvents } from "@/lib/db/schema";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { SYSTEM_ACTOR, appendAuditStandalone, auditHead, computeEventHash, listAuditEvents, verifyAudit, type AuditEvent } from "./index";
import type { SignedCheckpoint } from "./checkpoint-format";
import { toAuditRow } from "./rows";
import { TestCheckpointSigner } from "./testing";

const alice = { subject: "alice", name: "Alice Custodian", roles: ["custodian"] };

async function seed(db: Db, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await appendAuditStandalone(db, { action: "import.downloaded", actor: alice, details: { n: i } });
}

async function appendCheckpoint(db: Db, signer: TestCheckpointSigner): Promise<SignedCheckpoint> {
  const head = await auditHead(db);
  const checkpoint = signer.checkpoint(head.lastSeq, head.lastHash);
  await appendAuditStandalone(db, { action: "audit.checkpoint", actor: SYSTEM_ACTOR, details: checkpoint });
  return checkpoint;
}

/** Statements run as a superuser can: with the append-only triggers bypassed for this transaction only. */
async function asSuperuser(db: Db, work: (tx: Db) => Promise<unknown>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    await work(tx);
  });
}

async function allEvents(db: Db): Promise<AuditEvent[]> {
  const page = await listAuditEvents(db, {}, { limit: 200 });
  expect(page.nextBefore).toBeNull();
  return page.events.reverse();
}

/** Rewrites the event at `seq` and recomputes every later hash, as someone who can write the database can. */
async function rewriteAndRehash(db: Db, seq: number, change: (e: AuditEvent) => AuditEvent): Promise<void> {
  const events = await allEvents(db);
  let prev = events.find((e) => e.seq === seq)!.prevHash;
  await asSuperuser(db, async (tx) => {
    for (const original of events.filter((e) => e.seq >= seq)) {
      const changed = original.seq === seq ? change(original) : original;
      const hash = computeEventHash(prev, changed);
      await tx.delete(auditEvents).where(sql`${auditEvents.seq} = ${original.seq}`);
      await tx.insert(auditEvents).values(toAuditRow({ ...changed, prevHash: prev, hash }));
      prev = hash;
    }
  });
}

async function updateDetails(db: Db, seq: number, details: Record<string, unknown>): Promise<void> {
  await asSuperuser(db, (tx) => tx.update(auditEvents).set({ details }).where(sql`${auditEvents.seq} = ${seq}`));
}

async function deleteFrom(db: Db, seq: number, through = seq): Promise<void> {
  await asSuperuser(db, (tx) => tx.delete(auditEvents).where(sql`${auditEvents.seq} between ${seq} and ${through}`));
}

const reasons = (r: { breaks: { seq: number; reason: string }[] }) => r.breaks.map((b) => `${b.seq} ${b.reason}`);

describe.each(testDrivers())("verify on %s", (driver) => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    db = t.database.db;
  });
  afterAll(async () => {
    await t?.cleanup();
  });
  // Each test starts a new chain at seq 1.
  beforeEach(async () => {
    await asSuperuser(db, (tx) => tx.execute(sql`DELETE FROM audit_events`));
  });

  it("reports every damaged event once: an edit at its seq, a rehashed edit and a deletion at the next", async () => {
    await seed(db, 30);
    const events = await allEvents(db);
    await updateDetails(db, 5, { n: 999 });
    await rewriteAndRehash(db, 12, (e) => ({ ...e, details: { n: -1 } }));
    // Only event 12 rehashed: put 13 onward back as they were (still pointing at 12's old hash).
    await asSuperuser(db, async (tx) => {
      for (const e of events.filter((x) => x.seq > 12)) {
        await tx.delete(auditEvents).where(sql`${auditEvents.seq} = ${e.seq}`);
        await tx.insert(auditEvents).values(toAuditRow(e));
      }
    });
    await deleteFrom(db, 20);

    const result = await verifyAudit(db, { batchSize: 7 });
    expect(reasons(result)).toEqual(["5 hash_mismatch", "13 prev_hash_mismatch", "21 sequence_gap"]);
    expect(result).toMatchObject({ ok: false, count: 29, lastSeq: 30, lastHash: events[29]!.hash, breakCount: 3, truncatedBreaks: false });
    expect(result.breaks[0]).toEqual({ seq: 5, id: events[4]!.id, reason: "hash_mismatch" });
  });

  it("reports two events that swapped places at both and at the link after them", async () => {
    await seed(db, 10);
    const events = await allEvents(db);
    const [seventh, eighth] = [events[6]!, events[7]!];
    await asSuperuser(db, async (tx) => {
      await tx.delete(auditEvents).where(sql`${auditEvents.seq} in (7, 8)`);
      await tx.insert(auditEvents).values([toAuditRow({ ...eighth, seq: 7 }), toAuditRow({ ...seventh, seq: 8 })]);
    });
    expect(reasons(await verifyAudit(db))).toEqual([
      "7 prev_hash_mismatch",
      "7 hash_mismatch",
      "8 prev_hash_mismatch",
      "8 hash_mismatch",
      "9 prev_hash_mismatch",
    ]);
  });

  it("lists the first breaks and counts the rest", async () => {
    await seed(db, 12);
    for (const seq of [2, 4, 6, 8, 10]) await updateDetails(db, seq, { edited: seq });
    const result = await verifyAudit(db, { maxBreaks: 3 });
    expect(reasons(result)).toEqual(["2 hash_mismatch", "4 hash_mismatch", "6 hash_mismatch"]);
    expect(result).toMatchObject({ ok: false, breakCount: 5, truncatedBreaks: true, count: 12 });
  });

  it("verifies signed checkpoints, and says when their signatures were not checked", async () => {
    const signer = new TestCheckpointSigner();
    const empty = await appendCheckpoint(db, signer); // of the empty chain: seq 0, the genesis hash
    expect(empty.statement).toMatchObject({ seq: 0 });
    await seed(db, 10);
    await appendCheckpoint(db, signer);
    await seed(db, 5);
    const last = await appendCheckpoint(db, signer);
    await seed(db, 3);

    const checked = await verifyAudit(db, { publicKey: signer.publicKey, keyArn: signer.keyArn, latestExternal: last });
    expect(checked).toMatchObject({ ok: true, count: 21, checkpoints: 3, lastCheckpointSeq: 17, signaturesChecked: true, externalChecked: true });
    expect(await verifyAudit(db)).toMatchObject({ ok: true, checkpoints: 3, signaturesChecked: false, externalChecked: false });

    const stranger = new TestCheckpointSigner();
    expect(reasons(await verifyAudit(db, { publicKey: stranger.publicKey }))).toEqual([
      "1 checkpoint_signature_invalid",
      "12 checkpoint_signature_invalid",
      "18 checkpoint_signature_invalid",
    ]);
    expect(reasons(await verifyAudit(db, { keyArn: stranger.keyArn.replace("0c0c", "dddd") }))).toHaveLength(3);
  });

  it("does not count a checkpoint whose event was edited, even where its statement still holds", async () => {
    const signer = new TestCheckpointSigner();
    await seed(db, 4);
    await appendCheckpoint(db, signer);
    await seed(db, 2);
    const last = await appendCheckpoint(db, signer); // seq 8
    await updateDetails(db, 8, { ...last, statement: { ...last.statement, at: "2027-01-01T00:00:00.000Z" } });
    expect(reasons(await verifyAudit(db))).toEqual(["8 hash_mismatch"]);
    expect(await verifyAudit(db)).toMatchObject({ checkpoints: 1, lastCheckpointSeq: 4 });
    expect(reasons(await verifyAudit(db, { publicKey: signer.publicKey }))).toEqual(["8 hash_mismatch", "8 checkpoint_signature_invalid"]);
  });

  it("finds a chain rewritten and rehashed to its end at the first checkpoint after the rewrite", async () => {
    const signer = new TestCheckpointSigner();
    await seed(db, 10);
    await appendCheckpoint(db, signer); // seq 11, head 10
    await seed(db, 9);
    const latest = await appendCheckpoint(db, signer); // seq 21, head 20
    await seed(db, 4);
    await rewriteAndRehash(db, 15, (e) => ({ ...e, details: { n: "rewritten" } }));

    const result = await verifyAudit(db, { publicKey: signer.publicKey });
    // Every link and hash holds; only the signed head shows the rewrite.
    expect(reasons(result)).toEqual(["21 checkpoint_head_mismatch"]);
    expect(result).toMatchObject({ checkpoints: 1, lastCheckpointSeq: 10 });
    // The file kept outside the database says the same about event 20.
    expect(reasons(await verifyAudit(db, { publicKey: signer.publicKey, latestExternal: latest }))).toEqual([
      "21 checkpoint_head_mismatch",
      "20 checkpoint_head_mismatch",
    ]);
  });

  it("refuses a checkpoint re-signed by anyone but the signing key", async () => {
    const signer = new TestCheckpointSigner();
    await seed(db, 5);
    await appendCheckpoint(db, signer);
    await seed(db, 5);
    await appendCheckpoint(db, signer); // seq 12, head 11
    await rewriteAndRehash(db, 3, (e) => ({ ...e, details: { n: "rewritten" } }));
    // The forger states the new heads with a key of their own, keeping the statements' links.
    const forger = new TestCheckpointSigner("ECDSA_SHA_256", signer.keyArn);
    for (const seq of [6, 12]) {
      const head = (await allEvents(db)).find((e) => e.seq === seq - 1)!;
      await rewriteAndRehash(db, seq, (e) => ({ ...e, details: forger.checkpoint(head.seq, head.hash) }));
    }
    expect(reasons(await verifyAudit(db, { publicKey: signer.publicKey, keyArn: signer.keyArn }))).toEqual([
      "6 checkpoint_signature_invalid",
      "12 checkpoint_signature_invalid",
    ]);
    // Without the public key only heads and links are checked, and the forgery holds: the result says so.
    expect(await verifyAudit(db)).toMatchObject({ ok: true, checkpoints: 2, signaturesChecked: false });
  });

  it("breaks at `previous` when a signed checkpoint is missing from the chain, and at the head when it was cut out", async () => {
    const signer = new TestCheckpointSigner();
    await seed(db, 3);
    await appendCheckpoint(db, signer); // seq 4
    await seed(db, 3);
    const head = await auditHead(db);
    signer.checkpoint(head.lastSeq, head.lastHash); // signed, but its event never reached the chain
    await appendCheckpoint(db, signer); // seq 8, naming the missing statement
    expect(reasons(await verifyAudit(db, { publicKey: signer.publicKey }))).toEqual(["8 checkpoint_previous_mismatch"]);

    await seed(db, 3);
    await appendCheckpoint(db, signer); // seq 12
    // A checkpoint event turned into an ordinary one and the rest rehashed: the next checkpoint's head no longer holds.
    await rewriteAndRehash(db, 8, (e) => ({ ...e, action: "audit.verified", details: { ok: true } }));
    expect(reasons(await verifyAudit(db, { publicKey: signer.publicKey }))).toEqual(["12 checkpoint_head_mismatch"]);
  });

  it("finds events cut from the end only against the latest checkpoint kept outside the database", async () => {
    const signer = new TestCheckpointSigner();
    await seed(db, 6);
    const latest = await appendCheckpoint(db, signer); // seq 7, head 6
    await seed(db, 2);
    const options = { publicKey: signer.publicKey, latestExternal: latest };
    expect(await verifyAudit(db, options)).toMatchObject({ ok: true, externalChecked: true, checkpoints: 1 });

    await deleteFrom(db, 5, 9);
    // What is left is a valid chain, and the checkpoint that would show the cut went with it.
    expect(await verifyAudit(db, { publicKey: signer.publicKey })).toMatchObject({ ok: true, count: 4, checkpoints: 0 });
    const cut = await verifyAudit(db, options);
    expect(cut.breaks).toEqual([{ seq: 6, id: null, reason: "checkpoint_beyond_chain" }]);

    // Regrown past the checkpoint's head: the event at its seq has another hash.
    await seed(db, 4);
    expect(reasons(await verifyAudit(db, options))).toEqual(["6 checkpoint_head_mismatch"]);
    // A file whose signature is not the key's is refused before it is believed.
    const forged = { ...latest, signature: new TestCheckpointSigner().checkpoint(6, latest.statement.headHash).signature };
    expect(reasons(await verifyAudit(db, { ...options, latestExternal: forged }))).toEqual(["6 checkpoint_signature_invalid"]);
  });
});
