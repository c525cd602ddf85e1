import "server-only";
import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { pathNeedsSession, signInPath } from "./paths";
import { expireSessionCookies, sessionCookiesOf } from "./session-cookies";
import { isSessionLive } from "./session-record";
import { sessionFromToken, usesSecureCookies } from "./session-token";

/**
 * For proxy.ts: a redirect to sign-in for a signed-out visitor of a page that needs a session, or null.
 * A convenience, never the check that protects anything — the dashboard layout, every page, action and
 * route handler read the session again. It decodes the real token (Next 16 runs the proxy on Node.js, so
 * it can ask lib/config for the secret) and reads the session's record, so that an expired, signed-out or
 * ended session is sent to sign-in with a reason and its cookie expired.
 */
/**
 * The session the request's cookie carries, decoded and its age checked, or null. The proxy's own reading:
 * its server-side record is checked later, by the page, action or route handler (session.ts).
 */
export async function proxyTokenSession(request: NextRequest) {
  const { auth } = getConfig();
  const token = await getToken({ req: request, secret: auth.secret, secureCookie: usesSecureCookies(auth.url) });
  return sessionFromToken(token, auth.sessionMaxAgeSeconds);
}

export async function signedOutRedirect(request: NextRequest): Promise<NextResponse | null> {
  const { pathname, search } = request.nextUrl;
  if (!pathNeedsSession(pathname)) return null;
  // A server action posted by a page answers `unauthenticated` itself; a redirect would confuse its caller.
  if (request.headers.has("next-action")) return null;

  const session = await proxyTokenSession(request);
  if (session && (await recordIsLiveOrUnknown(session.sessionId, session.user.id))) return null;

  const secure = usesSecureCookies(getConfig().auth.url);
  const stale = sessionCookiesOf(request);
  const target = request.nextUrl.clone();
  const [path = "/signin", query] = signInPath(`${pathname}${search}`, stale.length ? "expired" : undefined).split("?");
  target.pathname = path;
  target.search = query ? `?${query}` : "";
  // The ended session's cookie goes, so the next visit is simply "signed out".
  return expireSessionCookies(NextResponse.redirect(target), stale, secure);
}

/**
 * Whether the session's record is live (session-record.ts: one read by primary key), so that a cookie whose
 * session was signed out elsewhere or ended by an admin is expired here rather than sent again with every
 * request. The proxy runs on Node.js in the server's own process (Next 16), and the database is the
 * process-wide one (lib/db keeps it on globalThis), so this is the same connection the page uses. A database
 * that does not answer lets the request through: the page's own check then fails it with a page that says so,
 * where a redirect here would pass an outage off as a sign-out.
 */
async function recordIsLiveOrUnknown(sessionId: string, subject: string): Promise<boolean> {
  try {
    return await isSessionLive(await getDb(), sessionId, subject);
  } catch {
    return true;
  }
}
