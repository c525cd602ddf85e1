import type { NextRequest, NextResponse } from "next/server";
import { sessionCookieName } from "./session-token";

/**
 * next-auth's session cookies on a request: `next-auth.session-token`, or `__Secure-next-auth.session-token`
 * when Keyport's URL is https, each possibly split into `.0`, `.1`… chunks for a large token. Both prefixes are
 * matched, so a cookie left from a change of URL scheme goes too.
 */
export function sessionCookiesOf(request: NextRequest): string[] {
  const bases = [sessionCookieName(false), sessionCookieName(true)];
  return request.cookies
    .getAll()
    .map((c) => c.name)
    .filter((name) => bases.some((base) => name === base || name.startsWith(`${base}.`)));
}

/**
 * Expires `names` on `response`, as next-auth sets them (path /, HttpOnly, SameSite=Lax). A `__Secure-` cookie
 * can only be set, and so expired, with the Secure attribute.
 */
export function expireSessionCookies(response: NextResponse, names: string[], secure: boolean): NextResponse {
  for (const name of names) {
    response.cookies.set(name, "", { path: "/", maxAge: 0, secure: secure || name.startsWith("__Secure-"), httpOnly: true, sameSite: "lax" });
  }
  return response;
}
