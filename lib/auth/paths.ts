/**
 * Where sign-in starts and where it may send a person afterwards. Pure: used by proxy.ts, the dashboard
 * layout and the sign-in page.
 */
export const SIGN_IN_PATH = "/signin";
export const NO_ACCESS_PATH = "/no-access";
export const HOME_PATH = "/keys";

/** Request header proxy.ts sets to the path being rendered, so a layout can build its sign-in callback. */
export const PATH_HEADER = "x-keyport-path";

/**
 * A callback path that is safe to follow after sign-in: a path on this origin only (no scheme, no
 * protocol-relative `//host`, no backslash tricks), and never the sign-in page or an API route (loops).
 * An absolute URL is accepted only on `ownOrigin` (next-auth sends those), and becomes a path.
 */
export function safeCallbackPath(raw: unknown, fallback: string = HOME_PATH, ownOrigin?: string): string {
  if (typeof raw !== "string" || raw.length > 2048) return fallback;
  const path = ownOrigin && raw.startsWith(`${ownOrigin}/`) ? raw.slice(ownOrigin.length) : raw;
  if (!path.startsWith("/") || path.startsWith("//") || path.includes("\\")) return fallback;
  // Control characters could smuggle a scheme past browsers' URL parsers.
  if (/[\u0000-\u001f\u007f]/.test(path)) return fallback;
  let url: URL;
  try {
    url = new URL(path, "http://keyport.invalid");
  } catch {
    return fallback;
  }
  if (url.origin !== "http://keyport.invalid") return fallback;
  if (url.pathname === SIGN_IN_PATH || url.pathname === NO_ACCESS_PATH || url.pathname.startsWith("/api/")) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

export type SignInReason = "expired";

/** `/signin?callbackUrl=…&reason=…`; the callback is left out when it is the default destination. */
export function signInPath(callbackPath?: string | null, reason?: SignInReason): string {
  const params = new URLSearchParams();
  const callback = safeCallbackPath(callbackPath, "");
  if (callback && callback !== "/" && callback !== HOME_PATH) params.set("callbackUrl", callback);
  if (reason) params.set("reason", reason);
  const query = params.toString();
  return query ? `${SIGN_IN_PATH}?${query}` : SIGN_IN_PATH;
}

/** Pages that need a signed-in person (the proxy redirects signed-out visitors of these to sign-in). */
export function pathNeedsSession(pathname: string): boolean {
  if (pathname === SIGN_IN_PATH || pathname.startsWith(`${SIGN_IN_PATH}/`)) return false;
  // Route handlers answer 401 themselves (a redirect is no use to a fetch); Next's own assets need nothing.
  if (pathname.startsWith("/api/") || pathname.startsWith("/_next/")) return false;
  return true;
}
