/**
 * How the hostile suite talks to Keyport: every request goes out through node:http with the path exactly as
 * written (fetch and URL would resolve `..` and `%2e%2e` before sending, hiding the traversal being tested),
 * bodies of any size can be streamed, and server actions are called with React's own reply encoding, as the
 * browser does, but with the headers of the answer kept (the suite checks them).
 */
import http from "node:http";
import { encodeReply } from "next/dist/compiled/react-server-dom-webpack/client.edge";
import { actionResultOf, loadActions } from "../client";

export type Answer = {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The JSON body, when the answer is JSON. */
  json?: unknown;
  /** For server actions: the action's return value (ActionResult), when the answer carries one. */
  result?: unknown;
  ms: number;
};

export type RawRequest = {
  method?: string;
  /** Sent as written: no normalisation, no re-encoding. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Stream this many filler bytes instead of `body` (the server may close the connection early). */
  fillBytes?: number;
  /** Send the body with Transfer-Encoding: chunked (no Content-Length). */
  chunked?: boolean;
  timeoutMs?: number;
};

const FILLER = Buffer.alloc(256 * 1024, 0x61);

/** One request to `base` (an app URL); resolves with the answer, whatever its status. */
export function rawRequest(base: string, request: RawRequest): Promise<Answer> {
  const url = new URL(base);
  const started = Date.now();
  const body = typeof request.body === "string" ? Buffer.from(request.body, "utf8") : request.body;
  const total = request.fillBytes ?? body?.length;
  const headers: Record<string, string> = { ...request.headers };
  if (total !== undefined && !request.chunked) headers["Content-Length"] = String(total);
  if (request.chunked) headers["Transfer-Encoding"] = "chunked";
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: request.path, method: request.method ?? "GET", headers });
    req.setTimeout(request.timeoutMs ?? 30_000, () => req.destroy(new Error(`no answer within ${(request.timeoutMs ?? 30_000) / 1000} s`)));
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        if ((res.headers["content-type"] ?? "").includes("json")) {
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms: Date.now() - started });
      });
    });
    // A server that refuses a large upload closes the socket: the rest of the body then fails to write.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    if (request.fillBytes !== undefined) {
      let sent = 0;
      const pump = () => {
        while (sent < request.fillBytes! && !req.destroyed) {
          const piece = FILLER.subarray(0, Math.min(FILLER.length, request.fillBytes! - sent));
          sent += piece.length;
          if (!req.write(piece)) return void req.once("drain", pump);
        }
        if (!req.destroyed) req.end();
      };
      pump();
    } else {
      if (body) req.write(body);
      req.end();
    }
  });
}

const ACTIONS = loadActions();

export function actionId(name: string): string {
  const found = ACTIONS.get(name);
  if (!found) throw new Error(`No server action "${name}" in the build; rebuild (npm run build)`);
  return found.id;
}

export function actionNames(): string[] {
  return [...ACTIONS.keys()];
}

export type ActionCall = {
  /** Cookie header value, or null for none. */
  cookie: string | null;
  name: string;
  args: unknown[];
  /** A forged id instead of the action's own. */
  actionId?: string;
  /** Origin header: the app's own by default, null for none. */
  origin?: string | null;
  /** Post here instead of a page that carries the action. */
  page?: string;
  headers?: Record<string, string>;
};

/** Calls a server action as Next's client does; the answer keeps its headers and its ActionResult. */
export async function callAction(base: string, call: ActionCall): Promise<Answer> {
  const encoded = await encodeReply(call.args as never);
  let body: Buffer;
  let contentType: string;
  if (typeof encoded === "string") {
    body = Buffer.from(encoded, "utf8");
    contentType = "text/plain;charset=UTF-8";
  } else {
    // FormData (an argument with a File): let the platform write the multipart body and its boundary.
    const response = new Response(encoded as FormData);
    body = Buffer.from(await response.arrayBuffer());
    contentType = response.headers.get("content-type")!;
  }
  return sendActionBody(base, { ...call, body, contentType });
}

/** Posts `body` as a call of action `name` (raw: the body is not encoded here). */
export async function sendActionBody(
  base: string,
  call: Omit<ActionCall, "args"> & { body?: string | Buffer; contentType?: string; fillBytes?: number; chunked?: boolean },
): Promise<Answer> {
  const headers: Record<string, string> = {
    "Next-Action": call.actionId ?? actionId(call.name),
    Accept: "text/x-component",
    "Content-Type": call.contentType ?? "text/plain;charset=UTF-8",
    ...call.headers,
  };
  if (call.origin !== null) headers.Origin = call.origin ?? base;
  if (call.cookie) headers.Cookie = call.cookie;
  const answer = await rawRequest(base, {
    method: "POST",
    path: call.page ?? ACTIONS.get(call.name)?.page ?? "/keys",
    headers,
    body: call.body,
    fillBytes: call.fillBytes,
    chunked: call.chunked,
  });
  const flight = (answer.headers["content-type"] ?? "").includes("text/x-component");
  return { ...answer, result: flight && answer.status === 200 ? actionResultOf(answer.text) : undefined };
}
