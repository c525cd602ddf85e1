import "server-only";
import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { SIGNED_OUT_BODY_LIMIT_BYTES, bodyRefusal } from "./body-limits";
import { sessionFromToken, usesSecureCookies } from "./session-token";

/**
 * For proxy.ts: refuses a request body that someone without a session has no reason to send, before any of
 * it is buffered. Next clones every body that passes through the proxy into memory (up to
 * `experimental.proxyClientMaxBodySize`), and server actions read theirs before they can check a session, so
 * without this a stranger could make the process hold megabytes per request.
 *
 * Signed-out requests only ever post sign-in forms and small action calls that answer `unauthenticated`; their
 * bodies are tiny. `Connection: close` makes Node drop the socket once the refusal is sent, so the rest of the
 * upload is never read.
 */
export async function oversizedSignedOutBody(request: NextRequest): Promise<NextResponse | null> {
  const refusal = bodyRefusal(request.method, request.headers.get("content-length"), request.headers.get("transfer-encoding"));
  if (!refusal) return null;
  const { auth } = getConfig();
  const token = await getToken({ req: request, secret: auth.secret, secureCookie: usesSecureCookies(auth.url) });
  if (sessionFromToken(token, auth.sessionMaxAgeSeconds)) return null;
  return NextResponse.json(
    {
      ok: false,
      code: refusal,
      message: `Sign in first: without a session a request body may carry at most ${SIGNED_OUT_BODY_LIMIT_BYTES.toLocaleString("en")} bytes, with its Content-Length given.`,
    },
    { status: refusal === "length_required" ? 411 : 413, headers: { Connection: "close" } },
  );
}
