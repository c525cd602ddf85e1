import "server-only";
import { NextResponse, type NextRequest } from "next/server";
import { SERVER_ACTION_BODY_LIMIT_BYTES, SIGNED_OUT_BODY_LIMIT_BYTES, bodyRefusal, type BodyRefusal } from "./body-limits";
import { proxyTokenSession } from "./proxy-gate";

/**
 * For proxy.ts: refuses a request body larger than any action takes, and one that someone without a session
 * has no reason to send, before any of it is buffered. Next clones every body that passes through the proxy into memory (up to
 * `experimental.proxyClientMaxBodySize`), and server actions read theirs before they can check a session, so
 * without this a stranger could make the process hold megabytes per request.
 *
 * Signed-out requests only ever post sign-in forms and small action calls that answer `unauthenticated`; their
 * bodies are tiny. `Connection: close` makes Node drop the socket once the refusal is sent, so the rest of the
 * upload is never read.
 */
export async function oversizedSignedOutBody(request: NextRequest): Promise<NextResponse | null> {
  const method = request.method;
  const length = request.headers.get("content-length");
  const encoding = request.headers.get("transfer-encoding");
  // Larger than any action takes: refused for everyone, without decoding a session.
  const forAll = bodyRefusal(method, length, encoding, true);
  if (forAll) return refuse(forAll, `A request body may carry at most ${SERVER_ACTION_BODY_LIMIT_BYTES.toLocaleString("en")} bytes.`);
  const refusal = bodyRefusal(method, length, encoding);
  if (!refusal) return null;
  if (await proxyTokenSession(request)) return null;
  return refuse(
    refusal,
    `Sign in first: without a session a request body may carry at most ${SIGNED_OUT_BODY_LIMIT_BYTES.toLocaleString("en")} bytes, with its Content-Length given.`,
  );
}

function refuse(code: BodyRefusal, message: string): NextResponse {
  return NextResponse.json({ ok: false, code, message }, { status: code === "length_required" ? 411 : 413, headers: { Connection: "close" } });
}
