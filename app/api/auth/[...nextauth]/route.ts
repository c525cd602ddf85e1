import NextAuth from "next-auth/next";
import { NextResponse } from "next/server";
import { defineRoute, getAuthOptions, getSession } from "@/lib/auth";
import { getConfig } from "@/lib/config";
import { expireSessionCookies, sessionCookiesOf } from "@/lib/auth/session-cookies";
import { usesSecureCookies } from "@/lib/auth/session-token";

export const dynamic = "force-dynamic";

// Options are built on first request, not at import: `next build` loads this module without configuration.
const handler = defineRoute<{ nextauth: string[] }>(
  {
    name: "next-auth",
    public: "next-auth's own endpoints (sign-in, OIDC callback, CSRF, session, sign-out): how a session is obtained",
  },
  async (request, { raw }) => {
    const { nextauth } = await raw.params;
    // next-auth's session endpoint judges the cookie alone, so it would still name the person of a session
    // that was signed out elsewhere or ended by an admin. getSession reads the session's record (one read by
    // primary key); a cookie without a live session is answered as next-auth answers no session, `{}`, and
    // expired. A database that cannot be read fails the request (500) rather than vouch for the cookie.
    if (nextauth[0] === "session") {
      const cookies = sessionCookiesOf(request);
      if (cookies.length > 0 && !(await getSession())) {
        return expireSessionCookies(NextResponse.json({}), cookies, usesSecureCookies(getConfig().auth.url));
      }
    }
    return NextAuth(request, raw, getAuthOptions());
  },
);

export { handler as GET, handler as POST };
