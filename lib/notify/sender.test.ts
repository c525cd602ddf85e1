import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { listAuditEvents, verifyAudit } from "@/lib/audit";
import { fixedClock, nowMs } from "@/lib/clock";
import { createDatabase, type Database } from "@/lib/db";
import { notificationOutbox } from "@/lib/db/schema";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { enqueueNotification } from "./enqueue";
import type { NotificationInput } from "./events";
import type { WebhookPayload } from "./payload";
import { createSender, type SenderOptions } from "./sender";
import { verifyWebhookSignature } from "./signature";
import { enableNotifications } from "./state";
import { outboxRows, startReceiver, type Receiver } from "./testing";

/**
 * The sender against a real HTTP receiver on loopback and the real database (PGlite, and PostgreSQL when
 * DATABASE_URL is set). Time is Keyport's clock, moved by the test: retries fall due without waiting.
 */

const SECRET = "s".repeat(40);
const T0 = "2026-12-01T09:00:00.000Z";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function message(n: number, overrides: Partial<NotificationInput> = {}): NotificationInput {
  return {
    kind: "approval.needed",
    dedupeKey: `test:${n}`,
    summary: `Message ${n}`,
    keyArn: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    targetId: "prod",
    region: "eu-west-1",
    requestId: "82ca661b-0000-4000-8000-000000000001",
    path: "/imports/82ca661b-0000-4000-8000-000000000001",
    fields: { "Requested by": "Casey" },
    at: new Date(nowMs()),
    ...overrides,
  };
}

function checkSignature(received: Receiver["received"][number]) {
  return verifyWebhookSignature({
    secret: SECRET,
    body: received.body,
    timestamp: received.headers["x-keyport-timestamp"] as string,
    signature: received.headers["x-keyport-signature"] as string,
    nowSeconds: Math.floor(nowMs() / 1000),
  });
}

describe.each(testDrivers())("the notification sender on %s", (driver) => {
  let t: TestDatabase;
  let receiver: Receiver;
  let answers: Array<number | "hang">;
  let clock: ReturnType<typeof fixedClock>;
  let restoreNotifications: () => void;

  // One database for the file's tests (a fresh one each is slow on PGlite); each test starts with an empty outbox.
  beforeAll(async () => {
    receiver = await startReceiver((n) => answers[n - 1] ?? 200);
    t = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.cleanup();
  });
  beforeEach(async () => {
    await t.database.db.delete(notificationOutbox);
    answers = [];
    receiver.received.length = 0;
    clock = fixedClock(T0);
    restoreNotifications = enableNotifications();
  });
  afterEach(async () => {
    restoreNotifications();
    clock.restore();
  });

  const sender = (options: Partial<SenderOptions> = {}) =>
    createSender({ db: t.database.db, url: receiver.url, secret: SECRET, publicUrl: "https://keyport.example.com", random: () => 0.5, ...options });
  const enqueue = (input: NotificationInput, db = t.database.db) => db.transaction((tx) => enqueueNotification(tx, input));
  /** This test's delivery failures (the trail holds earlier tests' too). */
  const failures = async () => {
    const ids = new Set((await outboxRows(t.database.db)).map((row) => row.id));
    const { events } = await listAuditEvents(t.database.db, { action: ["notification.failed", "notification.gave_up"] }, { limit: 500 });
    return events.reverse().filter((e) => ids.has(e.details.notificationId as string));
  };

  it("keeps nothing while notifications are off", async () => {
    restoreNotifications();
    await enqueue(message(1));
    expect(await outboxRows(t.database.db)).toEqual([]);
  });

  it("delivers a message signed, with its id as the delivery id, once", async () => {
    await enqueue(message(1));
    await enqueue(message(1, { summary: "the same dedupe key again" }));
    const [row] = await outboxRows(t.database.db);
    expect(await sender().runOnce()).toEqual({ leased: true, delivered: 1, failed: 0, gaveUp: 0 });

    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got!.headers["x-keyport-delivery"]).toBe(row!.id);
    expect(got!.headers["x-keyport-timestamp"]).toBe(String(Date.parse(T0) / 1000));
    expect(got!.headers["content-type"]).toBe("application/json");
    expect(checkSignature(got!)).toEqual({ ok: true });
    expect(verifyWebhookSignature({ secret: "x".repeat(40), body: got!.body, timestamp: got!.headers["x-keyport-timestamp"] as string, signature: got!.headers["x-keyport-signature"] as string, nowSeconds: Date.parse(T0) / 1000 })).toEqual({ ok: false, reason: "mismatch" });
    const payload = JSON.parse(got!.body) as WebhookPayload;
    expect(payload.keyport).toMatchObject({ id: row!.id, kind: "approval.needed", summary: "Message 1", account: "111122223333", link: `https://keyport.example.com/imports/82ca661b-0000-4000-8000-000000000001` });

    expect(await outboxRows(t.database.db)).toMatchObject([{ status: "delivered", attempts: 1 }]);
    expect(await sender().runOnce()).toMatchObject({ delivered: 0 });
    expect(receiver.received).toHaveLength(1);
  });

  it("retries after 500s with doubling backoff, auditing each failure", async () => {
    answers = [500, 503];
    await enqueue(message(1));
    const s = sender();
    expect(await s.runOnce()).toMatchObject({ failed: 1 });
    expect(await outboxRows(t.database.db)).toMatchObject([{ status: "pending", attempts: 1, lastError: "HTTP 500", nextAttemptAt: new Date(Date.parse(T0) + 30_000) }]);
    // Not due yet: nothing is sent.
    expect(await s.runOnce()).toMatchObject({ delivered: 0, failed: 0 });
    clock.advance(30_000);
    expect(await s.runOnce()).toMatchObject({ failed: 1 });
    expect(await outboxRows(t.database.db)).toMatchObject([{ attempts: 2, nextAttemptAt: new Date(Date.parse(T0) + 90_000) }]);
    clock.advance(60_000);
    expect(await s.runOnce()).toMatchObject({ delivered: 1 });
    expect(await outboxRows(t.database.db)).toMatchObject([{ status: "delivered", attempts: 3 }]);

    const ids = new Set(receiver.received.map((r) => r.headers["x-keyport-delivery"]));
    expect(receiver.received).toHaveLength(3);
    expect(ids.size).toBe(1);
    for (const r of receiver.received) expect(checkSignature(r)).toEqual({ ok: true });
    expect((await failures()).map((e) => [e.action, e.actor.kind, e.details])).toEqual([
      ["notification.failed", "system", expect.objectContaining({ kind: "approval.needed", attempt: 1, httpStatus: 500 })],
      ["notification.failed", "system", expect.objectContaining({ kind: "approval.needed", attempt: 2, httpStatus: 503 })],
    ]);
    expect((await verifyAudit(t.database.db)).ok).toBe(true);
  });

  it("retries after a receiver that does not answer in time", async () => {
    answers = ["hang"];
    await enqueue(message(1));
    const s = sender({ timeoutMs: 200 });
    expect(await s.runOnce()).toMatchObject({ failed: 1 });
    expect(await outboxRows(t.database.db)).toMatchObject([{ status: "pending", attempts: 1, lastError: "timeout" }]);
    expect((await failures())[0]!.details).toMatchObject({ attempt: 1, error: "timeout" });
    clock.advance(30_000);
    expect(await s.runOnce()).toMatchObject({ delivered: 1 });
  });

  it("gives up 24 hours after the message was written, audited, and sends it no more", async () => {
    answers = Array(100).fill(500);
    await enqueue(message(1));
    const s = sender({ firstRetryMs: HOUR, maxRetryMs: 8 * HOUR });
    for (let pass = 0; pass < 10; pass++) {
      const [row] = await outboxRows(t.database.db);
      if (row!.status !== "pending") break;
      clock.set(row!.nextAttemptAt);
      await s.runOnce();
    }
    const [row] = await outboxRows(t.database.db);
    // Attempts at 0, 1, 3, 7, 15 and 23 hours (the wait doubles up to 8 h), then at the deadline itself (24 h).
    expect(row).toMatchObject({ status: "gave_up", attempts: 7 });
    expect(nowMs()).toBe(Date.parse(T0) + 24 * HOUR);
    const events = await failures();
    expect(events.map((e) => e.action)).toEqual([...Array(7).fill("notification.failed"), "notification.gave_up"]);
    expect(events.at(-1)!.details).toMatchObject({ kind: "approval.needed", attempts: 7, lastError: "HTTP 500" });
    expect(JSON.stringify(events)).not.toContain(receiver.url);

    clock.advance(48 * HOUR);
    expect(await s.runOnce()).toMatchObject({ delivered: 0, failed: 0, gaveUp: 0 });
    expect(receiver.received).toHaveLength(7);
  });

  it("loses nothing when the sender stops mid-retry and a new one takes over", async () => {
    answers = [500];
    await enqueue(message(1));
    await enqueue(message(2));
    const first = sender({ batchSize: 1 });
    expect(await first.runOnce()).toMatchObject({ failed: 1 });
    await first.stop();

    clock.advance(30_000);
    const second = sender();
    expect(await second.runOnce()).toMatchObject({ delivered: 2 });
    expect(await outboxRows(t.database.db)).toMatchObject([
      { dedupeKey: "test:1", status: "delivered", attempts: 2 },
      { dedupeKey: "test:2", status: "delivered", attempts: 1 },
    ]);
    await second.stop();
  });

  it("sends each message once when two senders run at the same time", async () => {
    const other: Database | null = t.url ? await createDatabase({ url: t.url }) : null;
    try {
      for (let n = 1; n <= 12; n++) await enqueue(message(n));
      const a = sender({ batchSize: 3 });
      const b = sender({ db: other?.db ?? t.database.db, batchSize: 3 });
      let refused = 0;
      const loop = async (s: ReturnType<typeof sender>) => {
        for (let i = 0; i < 40; i++) {
          if (!(await s.runOnce()).leased) refused++;
          if ((await outboxRows(t.database.db)).every((r) => r.status === "delivered")) return;
        }
      };
      await Promise.all([loop(a), loop(b)]);
      // They did overlap: one found the lease taken while the other sent.
      expect(refused).toBeGreaterThan(0);
      const ids = receiver.received.map((r) => r.headers["x-keyport-delivery"]);
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
      expect((await outboxRows(t.database.db)).every((r) => r.status === "delivered" && r.attempts === 1)).toBe(true);
    } finally {
      await other?.close();
    }
  });

  it("sends within seconds of the commit when an enqueue nudges it", async () => {
    clock.restore();
    const s = sender({ intervalMs: 3_600_000 });
    restoreNotifications();
    restoreNotifications = enableNotifications(() => s.kick());
    const started = Date.now();
    await enqueue(message(1, { at: new Date() }));
    await receiver.waitFor(1, 5_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    await s.stop();
  });
});
