import "server-only";
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { appendAudit, SYSTEM_ACTOR } from "@/lib/audit";
import { now as clockNow } from "@/lib/clock";
import type { Db } from "@/lib/db";
import { buildPayload } from "./payload";
import { releaseLease, takeLease } from "@/lib/db/leases";
import { dueMessages, markDelivered, markFailed, type DueMessage } from "./queries";
import { signatureHeaders } from "./signature";

/**
 * Delivers the outbox to the webhook, one instance at a time under a database lease (lib/db/leases.ts). A pass:
 * take the lease, run the periodic checks, then POST each due message (signed, with a timeout); a 2xx marks it
 * delivered, anything else schedules the next attempt with exponential backoff and jitter, until 24 hours after
 * the message was written, when it is given up. Every failed attempt and every give-up is audited.
 *
 * All state is in the database: a sender stopped mid-retry (a restart, a crash) loses nothing, and whichever
 * instance takes the lease next carries on. Between passes the lease is given back, so the instance where a
 * message was just written — nudged by enqueueNotification — can send it within seconds.
 */

export type SenderOptions = {
  db: Db;
  url: string;
  secret: string;
  /** Keyport's public URL, which makes the messages' links absolute. */
  publicUrl: string;
  now?: () => Date;
  /** Names this sender in the lease. */
  instanceId?: string;
  /** How long one POST may take (default 10 s). */
  timeoutMs?: number;
  /** The wait after the first failure, doubled after each next one (default 30 s), up to `maxRetryMs` (default 1 h). */
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** How long after it was written a message is still tried (default 24 h). */
  giveUpAfterMs?: number;
  /** The jitter's source, in [0, 1) (default Math.random). */
  random?: () => number;
  /** Between passes (default 30 s), for messages written on other instances and retries falling due. */
  intervalMs?: number;
  /** How long a lease lasts unless renewed (default 60 s: longer than any POST). */
  leaseMs?: number;
  batchSize?: number;
  /** Checks that enqueue messages of their own (expiring.ts), run under the lease at most every `periodicMs`. */
  periodic?: (now: Date) => Promise<void>;
  periodicMs?: number;
};

export type PassResult = { leased: boolean; delivered: number; failed: number; gaveUp: number };

export type Sender = {
  /** One pass now (a pass already running is joined, not doubled). */
  runOnce(): Promise<PassResult>;
  /** Passes every `intervalMs`, and now. */
  start(): void;
  /** A few quick passes over the next seconds: the enqueueing transaction commits meanwhile. */
  kick(): void;
  /** Stops the timers, waits for the pass under way and gives the lease back. */
  stop(): Promise<void>;
};

const LEASE = "notification_sender";
const KICK_DELAYS_MS = [100, 500, 1_500, 4_000];

export function createSender(options: SenderOptions): Sender {
  const o = {
    now: clockNow,
    instanceId: `${process.pid}-${randomUUID().slice(0, 8)}`,
    timeoutMs: 10_000,
    firstRetryMs: 30_000,
    maxRetryMs: 3_600_000,
    giveUpAfterMs: 24 * 3_600_000,
    random: Math.random,
    intervalMs: 30_000,
    leaseMs: 60_000,
    batchSize: 50,
    periodicMs: 60_000,
    ...options,
  };
  let current: Promise<PassResult> | null = null;
  let interval: NodeJS.Timeout | null = null;
  let kicks: NodeJS.Timeout[] = [];
  let lastPeriodic = -Infinity;
  let stopped = false;

  async function pass(): Promise<PassResult> {
    const result: PassResult = { leased: false, delivered: 0, failed: 0, gaveUp: 0 };
    if (!(await takeLease(o.db, LEASE, o.instanceId, o.now(), o.leaseMs))) return result;
    result.leased = true;
    try {
      const start = o.now();
      if (o.periodic && start.getTime() - lastPeriodic >= o.periodicMs) {
        lastPeriodic = start.getTime();
        await o.periodic(start);
      }
      // One batch per pass: what fails now is not due again within this pass.
      for (const message of await dueMessages(o.db, o.now(), o.batchSize)) {
        if (stopped || !(await takeLease(o.db, LEASE, o.instanceId, o.now(), o.leaseMs))) break;
        const outcome = await deliver(message);
        if (outcome === "delivered") result.delivered++;
        else if (outcome === "gave_up") result.gaveUp++;
        else if (outcome === "retry") result.failed++;
      }
    } finally {
      await releaseLease(o.db, LEASE, o.instanceId);
    }
    return result;
  }

  async function deliver(message: DueMessage): Promise<"delivered" | "retry" | "gave_up" | "lost"> {
    const body = JSON.stringify(buildPayload(message, o.publicUrl));
    const headers = signatureHeaders(o.secret, message.id, Math.floor(o.now().getTime() / 1000), body);
    const failure = await post(body, headers);
    const at = o.now();
    if (!failure) return (await markDelivered(o.db, message, at)) ? "delivered" : "lost";

    const attempt = message.attempts + 1;
    const deadline = message.createdAt.getTime() + o.giveUpAfterMs;
    const backoff = Math.min(o.maxRetryMs, o.firstRetryMs * 2 ** (attempt - 1)) * (0.8 + 0.4 * o.random());
    // The last attempt falls on the deadline itself; a failure then gives up.
    const next = at.getTime() >= deadline ? null : new Date(Math.min(at.getTime() + backoff, deadline));
    const error = failure.httpStatus ? `HTTP ${failure.httpStatus}` : failure.error!;
    const keyFields = { targetId: message.targetId, region: message.region, keyArn: message.keyArn, requestId: message.requestId };
    return o.db.transaction(async (tx) => {
      if (!(await markFailed(tx, message, error, next))) return "lost";
      await appendAudit(tx, {
        action: "notification.failed",
        actor: SYSTEM_ACTOR,
        at,
        ...keyFields,
        details: { notificationId: message.id, kind: message.kind, attempt, ...failure, nextAttemptAt: next?.toISOString() ?? null },
      });
      if (next) return "retry";
      await appendAudit(tx, {
        action: "notification.gave_up",
        actor: SYSTEM_ACTOR,
        at,
        ...keyFields,
        details: { notificationId: message.id, kind: message.kind, attempts: attempt, createdAt: message.createdAt.toISOString(), lastError: error },
      });
      return "gave_up";
    });
  }

  /** Null on a 2xx; else the HTTP status or the error's class — never its message, which may name the URL. */
  async function post(body: string, headers: Record<string, string>): Promise<{ httpStatus?: number; error?: string } | null> {
    try {
      const status = await postOnce(o.url, body, headers, o.timeoutMs);
      return status >= 200 && status < 300 ? null : { httpStatus: status };
    } catch (error) {
      return { error: errorClass(error) };
    }
  }

  function runOnce(): Promise<PassResult> {
    current ??= pass().finally(() => {
      current = null;
    });
    return current;
  }

  function quietly() {
    runOnce().catch((error: unknown) => console.error(`[notify] a delivery pass failed: ${errorClass(error)}`));
  }

  return {
    runOnce,
    start() {
      if (interval) return;
      stopped = false;
      quietly();
      interval = setInterval(quietly, o.intervalMs);
      interval.unref();
    },
    kick() {
      if (stopped) return;
      for (const timer of kicks) clearTimeout(timer);
      kicks = KICK_DELAYS_MS.map((ms) => setTimeout(quietly, ms));
      for (const timer of kicks) timer.unref();
    },
    async stop() {
      stopped = true;
      if (interval) clearInterval(interval);
      interval = null;
      for (const timer of kicks) clearTimeout(timer);
      kicks = [];
      await current?.catch(() => undefined);
      await releaseLease(o.db, LEASE, o.instanceId);
    },
  };
}

/**
 * One POST on a connection of its own (no keep-alive pool: messages are rare, and a pooled socket the receiver
 * has meanwhile closed would fail the attempt). Resolves with the status once the response starts; a redirect is
 * a failure, not followed, so the signed body goes only where it was configured to go.
 */
function postOnce(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(target, { method: "POST", agent: false, headers: { ...headers, "Content-Length": Buffer.byteLength(body) } });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error("The webhook did not answer in time"), { name: "TimeoutError" })), timeoutMs);
    req.once("response", (res) => {
      clearTimeout(timer);
      res.resume();
      res.on("error", () => undefined);
      resolve(res.statusCode ?? 0);
    });
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/** `timeout`, a socket error's code (ECONNREFUSED, ENOTFOUND…), or the error's name. */
export function errorClass(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "timeout";
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return cause.code;
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.name : "unknown";
}
