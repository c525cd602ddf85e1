/**
 * Whether a state-changing request comes from another site. Shared by the route guard (lib/auth/guard.ts)
 * and proxy.ts, which applies the same rule to posts to pages (server actions, forms) before Next.js sees
 * them: Next's own check of a server action's Origin answers a mismatch with a 500 and an error in the log.
 * Edge-safe: no Node APIs (it runs in proxy.ts).
 */

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/** What a refused request is told. */
export const CROSS_ORIGIN_MESSAGE = "Keyport refused this request because it came from another website. Make the change from Keyport's own pages.";

/**
 * Why a state-changing request comes from another site, or null when it does not. The session cookie is
 * SameSite=Lax, which still lets a sibling subdomain (same site) send it, and a plain HTML form needs no
 * preflight; so a POST, PUT, PATCH or DELETE is refused when the browser says it came from another origin:
 * `Sec-Fetch-Site` cross-site or same-site, or an `Origin` whose host is not the host the request was sent
 * to (`X-Forwarded-Host` first behind a proxy, as Next.js checks server actions). A request with neither
 * header did not come from a browser page, and carries no ambient authority worth forging.
 */
export function crossOriginReason(request: Request): string | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  const site = request.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") return `Sec-Fetch-Site: ${site}`;
  const origin = request.headers.get("origin");
  if (origin === null) return null;
  const host = (request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? new URL(request.url).host).split(",")[0]!.trim().toLowerCase();
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return `Origin: ${origin.slice(0, 100)}`; // "null" (a sandboxed page, a file) or garbage
  }
  return originHost === host ? null : `Origin: ${origin.slice(0, 100)}`;
}

/**
 * For proxy.ts: the 403 for a post to a page — a server action, a form — from another site, or null. Route
 * handlers under /api refuse such requests themselves (lib/auth/guard.ts), with the same rule and answer.
 */
export function crossOriginPageResponse(request: Request, pathname: string, csp: string): Response | null {
  if (pathname.startsWith("/api/")) return null;
  const reason = crossOriginReason(request);
  if (!reason) return null;
  console.warn(`[keyport] refused a cross-origin ${request.method} to ${pathname.slice(0, 200)} (${reason})`);
  return Response.json(
    { ok: false, code: "cross_origin", message: CROSS_ORIGIN_MESSAGE },
    { status: 403, headers: { "Cache-Control": "no-store", "Content-Security-Policy": csp } },
  );
}
