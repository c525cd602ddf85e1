/**
 * How the reliability run talks to Keyport from outside, as a browser would: it signs people in through the
 * real OpenID Connect flow (next-auth and the test provider, over HTTP with a cookie jar), calls server actions
 * with React's own reply encoding and reads their answers with React's own decoder, and fetches routes and pages.
 * Action ids come from the build's server-reference manifest, so a rebuilt app needs no change here.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { request as playwrightRequest } from "@playwright/test";
// React's flight client, as Next vendors it: the same encoding of arguments the browser sends.
import { encodeReply } from "next/dist/compiled/react-server-dom-webpack/client.edge";

export type CookieAttributes = { name: string; domain: string; httpOnly: boolean; secure: boolean; sameSite: string; expires: number };
/** `attributes`: the session cookie's flags as the browser was told them at sign-in. */
export type Person = { username: string; cookie: string; attributes?: CookieAttributes[] };

/** Signs `username` in at `appUrl` through the identity provider; returns the session cookie as a header value. */
export async function signIn(appUrl: string, idpIssuer: string, username: string): Promise<Person> {
  const context = await playwrightRequest.newContext({ baseURL: appUrl });
  try {
    const { csrfToken } = (await (await context.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const started = await context.post("/api/auth/signin/oidc", { form: { csrfToken, callbackUrl: `${appUrl}/keys`, json: "true" } });
    const { url } = (await started.json()) as { url: string };
    const loginPage = await context.get(url);
    const action = /action="(\/interaction\/[^"]+\/login)"/.exec(await loginPage.text())?.[1];
    if (!action) throw new Error(`No sign-in form at the identity provider for ${username} (status ${loginPage.status()})`);
    const done = await context.post(`${idpIssuer}${action}`, { form: { username } });
    if (!done.ok()) throw new Error(`Sign-in of ${username} ended with ${done.status()} at ${done.url()}`);
    const cookies = (await context.storageState()).cookies.filter((c) => c.name.includes("next-auth.session-token"));
    if (cookies.length === 0) throw new Error(`Sign-in of ${username} set no session cookie (ended at ${done.url()})`);
    return {
      username,
      cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; "),
      attributes: cookies.map(({ name, domain, httpOnly, secure, sameSite, expires }) => ({ name, domain, httpOnly, secure, sameSite, expires })),
    };
  } finally {
    await context.dispose();
  }
}

type ManifestEntry = { workers: Record<string, unknown>; filename: string; exportedName: string };

/** Server actions by exported name: their id and a page that carries them. */
export function loadActions(): Map<string, { id: string; page: string }> {
  const manifest = JSON.parse(readFileSync(path.join(process.cwd(), ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, ManifestEntry>;
  };
  const out = new Map<string, { id: string; page: string }>();
  for (const [id, entry] of Object.entries(manifest.node)) {
    if (!entry.exportedName || entry.filename.includes("__fixtures__")) continue;
    // "app/(dashboard)/approvals/page" → "/approvals"; a page without dynamic segments where there is one.
    const pages = Object.keys(entry.workers)
      .map((w) => w.replace(/^app/, "").replace(/\/page$/, "").replace(/\/\([^)]+\)/g, "") || "/")
      .sort((a, b) => Number(a.includes("[")) - Number(b.includes("[")));
    out.set(entry.exportedName, { id, page: pages[0] ?? "/" });
  }
  return out;
}

export type ActionAnswer = { status: number; result: unknown; raw: string };

export type CallOptions = {
  /** Send this action id instead of the real one (a forged or stale id). */
  actionId?: string;
  /** Send this Origin instead of the app's own. */
  origin?: string | null;
  /** Post to this path instead of a page that carries the action. */
  page?: string;
};

export class ActionClient {
  private readonly actions = loadActions();

  id(name: string): string {
    const found = this.actions.get(name);
    if (!found) throw new Error(`No server action "${name}" in the build; rebuild (npm run build)`);
    return found.id;
  }

  names(): string[] {
    return [...this.actions.keys()];
  }

  /** Calls server action `name` on `appUrl` as `person` (or nobody) with `args`, as Next's client does. */
  async call(appUrl: string, person: Person | null, name: string, args: unknown[], options: CallOptions = {}): Promise<ActionAnswer> {
    const found = this.actions.get(name);
    const id = options.actionId ?? found?.id ?? this.id(name);
    const body = await encodeReply(args);
    const headers: Record<string, string> = { "Next-Action": id, Accept: "text/x-component" };
    if (typeof body === "string") headers["Content-Type"] = "text/plain;charset=UTF-8";
    if (options.origin !== null) headers.Origin = options.origin ?? appUrl;
    if (person) headers.Cookie = person.cookie;
    const response = await fetch(`${appUrl}${options.page ?? found?.page ?? "/keys"}`, { method: "POST", headers, body, redirect: "manual" });
    const raw = await response.clone().text();
    const isFlight = (response.headers.get("content-type") ?? "").includes("text/x-component");
    return { status: response.status, result: isFlight && response.ok ? actionResultOf(raw) : undefined, raw };
  }
}

/**
 * The action's return value in a flight answer. Row 0 names it (`"a":"$@<row>"`); that row is plain JSON for
 * Keyport's results (ActionResult: strings, numbers, booleans). React's decoder cannot be used here: after a
 * revalidation the answer also carries the page, whose client components only a browser bundle can resolve.
 */
export function actionResultOf(raw: string): unknown {
  const rows = new Map<string, string>();
  for (const line of raw.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && /^[0-9a-f]+$/.test(line.slice(0, colon))) rows.set(line.slice(0, colon), line.slice(colon + 1));
  }
  try {
    const head = JSON.parse(rows.get("0") ?? "null") as { a?: unknown } | null;
    const a = head?.a;
    if (typeof a === "string" && a.startsWith("$@")) return JSON.parse(rows.get(a.slice(2)) ?? "null");
    return a;
  } catch {
    return undefined;
  }
}
