import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ADMIN_PREFIX, handleAdmin } from "./admin";
import type { Emulator } from "./emulator";

/** node:http plumbing: read the body, route admin requests, hand AWS requests to the emulator. */

const MAX_BODY_BYTES = 1024 * 1024;
const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export function createEmulatorServer(emulator: Emulator, options: { admin: boolean }): Server {
  const server = createServer((req, res) => {
    handleRequest(emulator, options, req, res).catch((error: unknown) => {
      console.error("[emulator] request failed:", error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ __type: "KMSInternalException", message: "An internal error occurred." }));
    });
  });
  // The SDK keeps connections alive; a generous idle timeout avoids reconnect churn under load.
  server.keepAliveTimeout = 30_000;
  return server;
}

async function handleRequest(emulator: Emulator, options: { admin: boolean }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (body === undefined) {
    send(res, 413, { "content-type": "application/json" }, JSON.stringify({ __type: "ValidationException", message: "Request body too large." }));
    return;
  }
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const method = req.method ?? "GET";

  if (url.pathname.startsWith(ADMIN_PREFIX)) {
    if (!options.admin) {
      send(res, 404, { "content-type": "application/json" }, JSON.stringify({ error: "Admin controls are off; start the emulator with --admin." }));
      return;
    }
    // The server binds to loopback only, but the check stays in case it is ever bound wider.
    if (!LOOPBACK.has(req.socket.remoteAddress ?? "")) {
      send(res, 403, { "content-type": "application/json" }, JSON.stringify({ error: "Admin controls are available from loopback only." }));
      return;
    }
    const result = await handleAdmin(emulator.admin, method, url.pathname, body);
    send(res, result.status, { "content-type": "application/json" }, JSON.stringify(result.body));
    return;
  }

  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    query[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const response = await emulator.handle({ method, path: safeDecode(url.pathname), query, headers: req.headers, body });
  send(res, response.status, response.headers, response.body);
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
