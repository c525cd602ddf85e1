import { NextResponse } from "next/server";
import { getToken } from "next-auth/jwt";
import { defineRoute } from "@/lib/auth";
import { endSessionUrl } from "@/lib/auth/end-session";
import { usesSecureCookies } from "@/lib/auth/session-token";
import { getConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

/**
 * Asked by the sign-out button just before it clears the session: where to send the browser so that the
 * identity provider ends its session too. Answers `{ url: null }` when there is nothing to end there.
 */
export const POST = defineRoute(
  {
    name: "POST /api/auth/end-session",
    public: "the first step of signing out: it reads only the caller's own session cookie and tells that caller where their identity provider ends its session",
  },
  async (request) => {
    const { auth } = getConfig();
    const token = await getToken({ req: request, secret: auth.secret, secureCookie: usesSecureCookies(auth.url) });
    return NextResponse.json({ url: await endSessionUrl(token, auth) }, { headers: { "Cache-Control": "no-store" } });
  },
);
