import { createServer, type Server } from "node:http";
import type { KeyportMessage } from "./payload";
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from "./signature";

/**
 * A receiver for watching notifications arrive (`npm run webhook:listen`): it checks each delivery's signature
 * with the shared secret as any receiver should, shows a delivery id it has already shown only as a repeat, and
 * prints the message. `failFirst` answers 503 to that many deliveries first, to watch Keyport retry them.
 * `GET /received` answers the messages accepted so far as JSON (newest last), for a script or a test to wait on.
 */

export type ReceivedMessage = { delivery: string; receivedAt: string; message: KeyportMessage | null };

const MAX_BODY = 256 * 1024;

export function createListener(options: { secret: string; print: (line: string) => void; failFirst?: number; nowSeconds?: () => number }): Server {
  const seen = new Set<string>();
  const received: ReceivedMessage[] = [];
  let toFail = options.failFirst ?? 0;
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return createServer((req, res) => {
    if (req.method === "GET" && req.url === "/received") {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(received));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const header = (name: string) => req.headers[name.toLowerCase()] as string | undefined;
      const delivery = header(DELIVERY_HEADER) ?? "(none)";
      const check = verifyWebhookSignature({ secret: options.secret, body, timestamp: header(TIMESTAMP_HEADER), signature: header(SIGNATURE_HEADER), nowSeconds: nowSeconds() });
      if (req.method !== "POST" || !check.ok) {
        options.print(`refused ${req.method} ${delivery}: ${check.ok ? "not a POST" : `signature ${check.reason}`}`);
        res.writeHead(401).end();
        return;
      }
      if (toFail > 0) {
        toFail--;
        options.print(`answered 503 to delivery ${delivery} (--fail): Keyport will try again`);
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200).end("ok");
      if (seen.has(delivery)) {
        options.print(`delivery ${delivery} again (already shown)`);
        return;
      }
      seen.add(delivery);
      const message = keyportPart(body);
      received.push({ delivery, receivedAt: new Date().toISOString(), message });
      options.print(describe(body, delivery, message));
    });
  });
}

function keyportPart(body: string): KeyportMessage | null {
  try {
    return (JSON.parse(body) as { keyport?: KeyportMessage }).keyport ?? null;
  } catch {
    return null; // Signed but not JSON: shown as it came.
  }
}

function describe(body: string, delivery: string, message: KeyportMessage | null): string {
  if (!message) return `delivery ${delivery}, signature ok:\n  ${body}`;
  const facts = Object.entries({ ...message.fields, Key: message.keyArn, Account: message.account, Region: message.region, Request: message.requestId })
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(([name, value]) => `  ${name}: ${value}`);
  return [`${message.at}  ${message.kind}  (delivery ${delivery}, signature ok)`, `  ${message.summary}`, ...facts, ...(message.link ? [`  ${message.link}`] : [])].join("\n");
}
