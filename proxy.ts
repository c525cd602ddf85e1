import { NextResponse, type NextRequest } from "next/server";
import { PATH_HEADER } from "@/lib/auth/paths";
import { oversizedSignedOutBody } from "@/lib/auth/body-gate";
import { signedOutRedirect } from "@/lib/auth/proxy-gate";
import { contentSecurityPolicy, generateNonce } from "@/lib/security/csp";
import { actionCallProblem, malformedActionCallResponse } from "@/lib/security/action-body";
import { crossOriginPageResponse } from "@/lib/security/origin";
import { isUndecodablePath, undecodablePathResponse } from "@/lib/security/url";

/**
 * Runs before every page: gives each response a fresh CSP nonce (Next reads it from the request's CSP
 * header and puts it on its own scripts), and sends signed-out visitors of dashboard pages to sign-in.
 * Authorization is NOT decided here: every page, action and route handler checks the session itself;
 * the redirect is a convenience (and keeps the `callbackUrl`). A path that does not decode is refused here,
 * first, for everyone: past this point Next.js would answer it with a bare 500 (lib/security/url.ts); so are
 * a post to a page from another site and a server action call whose body does not decode, which Next.js
 * would also answer with a 500 (lib/security/origin.ts, lib/security/action-body.ts).
 */
export async function proxy(request: NextRequest) {
  // Refused from the headers alone, before Next buffers a body for someone who is not signed in.
  const tooLarge = await oversizedSignedOutBody(request);
  if (tooLarge) return tooLarge;

  const nonce = generateNonce();
  // NODE_ENV is inlined by Next at build time; it is not configuration, so lib/config need not own it.
  const csp = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development" });

  if (isUndecodablePath(request.nextUrl.pathname)) return undecodablePathResponse(csp);

  // Posts to pages are server actions (or forms); routes under /api refuse foreign posts themselves.
  const foreign = crossOriginPageResponse(request, request.nextUrl.pathname, csp);
  if (foreign) return foreign;
  if (request.method === "POST" && request.headers.has("next-action")) {
    const problem = await actionCallProblem(request);
    if (problem) {
      console.warn(`[keyport] refused a server action call that does not decode: ${problem}`);
      return malformedActionCallResponse(csp);
    }
  }

  const redirect = await signedOutRedirect(request);
  if (redirect) return redirect;

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  // Lets the dashboard layout send someone whose session ended in between back to this page after sign-in.
  requestHeaders.set(PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

// Next reads this statically: each source must be written out, not named.
export const config = {
  matcher: [
    {
      // Pages only: static assets and the health probe need no nonce.
      source: "/((?!_next/static|_next/image|favicon.ico|icon.svg|api/health).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
    // A prefetch needs no nonce, but a post is never one: a prefetch header must not take an action call or a
    // multipart form past the checks above.
    { source: "/((?!_next/static|_next/image|favicon.ico|icon.svg|api/health).*)", has: [{ type: "header", key: "next-action" }] },
    { source: "/((?!_next/static|_next/image|favicon.ico|icon.svg|api/health).*)", has: [{ type: "header", key: "content-type", value: "multipart/form-data.*" }] },
  ],
};
