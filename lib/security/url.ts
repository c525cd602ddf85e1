/**
 * Requests whose path does not decode. Next.js decodes the path to match a route and, for a truncated or
 * invalid UTF-8 escape (`%E0%A4%A`, `%C0%AE`), fails with a bare 500 that carries none of Keyport's headers.
 * proxy.ts refuses such a path first, for every page and route, signed in or not.
 * Edge-safe: no Node APIs (it runs in proxy.ts).
 */

/** True when some `%` escape in the path is malformed or does not decode to UTF-8. */
export function isUndecodablePath(pathname: string): boolean {
  if (!pathname.includes("%")) return false;
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

/** The 400 for such a path: plain text (no page can render an address that has no meaning), never cached. */
export function undecodablePathResponse(csp: string): Response {
  return new Response("Bad request: this is not a valid address (its %-encoding does not decode). Check the link.\n", {
    status: 400,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "Content-Security-Policy": csp },
  });
}
