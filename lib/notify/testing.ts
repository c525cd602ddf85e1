import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { asc } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { notificationOutbox as o } from "@/lib/db/schema";

/**
 * What the notification tests share: a real HTTP receiver on loopback (node:http) that records every request
 * as it arrived and answers as the test says, and a look at the outbox. Test code only.
 */

export type Received = { headers: IncomingMessage["headers"]; body: string; at: number };

/** How to answer a request: a status, or "hang" (never answer, as a stuck receiver does). */
export type Answer = number | "hang";

export async function startReceiver(answer: (n: number, request: Received) => Answer = () => 200) {
  const received: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      received.push(request);
      const how = answer(received.length, request);
      if (how === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(how, { "Content-Type": "text/plain" }).end(how < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/keyport`,
    received,
    /** Waits until `n` requests arrived (or fails after `ms`). */
    async waitFor(n: number, ms = 10_000): Promise<Received[]> {
      const until = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} deliveries, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** The outbox as stored, oldest first. */
export async function outboxRows(db: Db) {
  return db
    .select({
      id: o.id,
      kind: o.kind,
      dedupeKey: o.dedupeKey,
      status: o.status,
      attempts: o.attempts,
      nextAttemptAt: o.nextAttemptAt,
      lastError: o.lastError,
      createdAt: o.createdAt,
      summary: o.summary,
    })
    .from(o)
    .orderBy(asc(o.createdAt), asc(o.dedupeKey));
}
