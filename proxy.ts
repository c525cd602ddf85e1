import { NextResponse, type NextRequest } from "next/server";
import { contentSecurityPolicy, generateNonce } from "@/lib/security/csp";

/**
 * Runs before every page: gives each response a fresh CSP nonce (Next reads it
 * from the request's CSP header and puts it on its own scripts). Authorization
 * is NOT decided here: every page, action and route handler checks the session
 * itself; at most this file redirects signed-out visitors for convenience.
 */
export function proxy(request: NextRequest) {
  const nonce = generateNonce();
  // NODE_ENV is inlined by Next at build time; it is not configuration, so lib/config need not own it.
  const csp = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development" });

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);

  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

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
  ],
};
