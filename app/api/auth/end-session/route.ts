import { NextResponse } from "next/server";
import { getToken } from "next-auth/jwt";
import { defineRoute } from "@/lib/auth";
import { endOwnSession } from "@/lib/auth/sign-out";
import { usesSecureCookies } from "@/lib/auth/session-token";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

/**
 * Asked by the sign-out button just before it clears the session: revokes the caller's own session record
 * (so a copy of the cookie is refused from now on, whatever happens to the rest of the sign-out), and says
 * where to send the browser so that the identity provider ends its session too (`url: null` when there is
 * nothing to end there). 503 with `code: "session_not_ended"` and a sentence for the person when the record
 * could not be revoked (lib/auth/sign-out.ts).
 */
export const POST = defineRoute(
  {
    name: "POST /api/auth/end-session",
    public: "the first step of signing out: it reads only the caller's own session cookie and tells that caller where their identity provider ends its session",
  },
  async (request) => {
    const { auth } = getConfig();
    const token = await getToken({ req: request, secret: auth.secret, secureCookie: usesSecureCookies(auth.url) });
    const answer = await endOwnSession(getDb, token, auth);
    return NextResponse.json(answer, { status: answer.ended ? 200 : 503, headers: { "Cache-Control": "no-store" } });
  },
);
