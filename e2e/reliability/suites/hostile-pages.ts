/**
 * Hostile requests to the pages: malformed and traversing path segments, undecodable escapes, people
 * without the permission (a forbidden page answers as a missing one), no session, filters a page shrugs off
 * (it must not echo them unescaped), open-redirect attempts on sign-in, and posts a page never takes.
 */
import { UNKNOWN_ID, type CorpusContext, type HostileCase } from "./hostile-corpus";
import { pageServed, type Expect } from "./hostile-expect";
import { actionId, rawRequest, type RawRequest } from "./hostile-http";
import type { Username } from "../stack";

type Who = Username | { cookie: string | null };

function page(cx: CorpusContext, category: string, target: string, name: string, who: Who, request: RawRequest, expect?: Expect): HostileCase {
  const cookie = typeof who === "string" ? cx.people[who].cookie : who.cookie;
  const headers = { ...(cookie ? { Cookie: cookie } : {}), ...request.headers };
  return { kind: "page", category, target, name, expect, send: (base) => rawRequest(base, { ...request, headers }) };
}

const NOT_FOUND: Expect = { statuses: [404] };
const TO_SIGN_IN: Expect = { redirect: /\/signin(\?|$)/ };
const TO_NO_ACCESS: Expect = { redirect: /\/no-access$/ };
const SCRIPT = '<script>alert("hostile")</script>';
const ENCODED_SCRIPT = encodeURIComponent(SCRIPT);

/**
 * The sign-in page must not send anyone to another site afterwards, nor echo markup. (The address itself is in
 * the page's router state, as every page's is; what matters is where the sign-in button leads: `callbackPath`.)
 */
function staysHome(answer: Parameters<ReturnType<typeof pageServed>>[0]): string | null {
  const served = pageServed(SCRIPT)(answer);
  if (served) return served;
  const callback = /callbackPath\\?":\\?"([^"\\]*)/.exec(answer.text)?.[1];
  if (callback === undefined) return "the sign-in page names no callback path";
  if (callback !== "/keys") return `after sign-in the page would go to ${callback}`;
  if (/(href|action)="[^"]*(evil\.example|javascript:)/i.test(answer.text)) return "a link or form on the sign-in page leads off-site";
  return null;
}

function keys(cx: CorpusContext): HostileCase[] {
  const k = cx.fx.awaiting.keyId;
  const out: HostileCase[] = [];
  const list = (query: string, label = query) =>
    out.push(page(cx, query.includes("script") ? "reflection" : "filters", "/keys", `?${label}`, "cora", { path: `/keys?${query}` }, { served: pageServed(SCRIPT) }));
  list(`q=${ENCODED_SCRIPT}`, "q=<script>");
  list(`target=${ENCODED_SCRIPT}`, "target=<script>");
  for (const query of ["page=-1", "page=1e309", "page=99999999999", "sort=__proto__", "dir=sideways", "state=PendingImport&state=Enabled", "target=%00", "region=..%2F..%2F", "spec=%3Cb%3E", "expiring=2"]) list(query);
  list(`q=${"k".repeat(10_000)}`, "q=(10,000 characters)");
  const T = "/keys/[target]/[region]/[keyId]";
  const at = (category: string, segments: string, expect: Expect = NOT_FOUND, who: Who = "cora") =>
    out.push(page(cx, category, segments.endsWith("/import") ? `${T}/import` : T, segments.slice(0, 100), who, { path: `/keys/${segments}` }, expect));
  at("ids", "payments-production/eu-west-1/not-a-key");
  at("ids", `payments-production/eu-west-1/${k.toUpperCase()}`);
  at("ids", `payments-production/eu-west-1/${UNKNOWN_ID}`);
  at("ids", `payments-production/us-east-1/${k}`);
  at("ids", `constructor/eu-west-1/${k}`);
  at("ids", `payments-production/eu-west-1/arn%3Aaws%3Akms%3Aeu-west-1%3A222222222222%3Akey%2F${k}`);
  at("control", `payments-production/eu-west-1/${k}%00`);
  at("traversal", "%2e%2e/%2e%2e/x");
  at("traversal", `payments-production/..%2F..%2Faudit/${k}`);
  at("traversal", "../../../etc/passwd");
  at("encoding", "%E0%A4%A", { statuses: [400] });
  at("encoding", `payments-production/eu-west-1/${k}%C0%AE`, { statuses: [400] });
  at("role", `payments-production/eu-west-1/${k}/import`, NOT_FOUND, "aud");
  at("role", `payments-production/eu-west-1/${k}/import`, NOT_FOUND, "ana");
  at("role", `payments-production/eu-west-1/${k}/import`, TO_NO_ACCESS, "nobody");
  at("session", `payments-production/eu-west-1/${k}/import`, TO_SIGN_IN, { cookie: null });
  at("session", `payments-production/eu-west-1/${k}/import`, TO_SIGN_IN, { cookie: cx.sessions.signedOut });
  at("ids", "payments-production/eu-west-1/not-a-key/import");
  return out;
}

function imports(cx: CorpusContext): HostileCase[] {
  const r = cx.fx.awaiting.id;
  const out: HostileCase[] = [];
  out.push(page(cx, "reflection", "/imports", "?view=<script>", "cora", { path: `/imports?view=${ENCODED_SCRIPT}` }, { served: pageServed(SCRIPT) }));
  out.push(page(cx, "filters", "/imports", "?state=bogus&view=all&view=pending", "cora", { path: "/imports?state=bogus&view=all&view=pending" }, { served: pageServed() }));
  const at = (category: string, path: string, expect: Expect, who: Who = "cora") => out.push(page(cx, category, "/imports/[id]", path.slice(0, 100), who, { path }, expect));
  at("ids", "/imports/not-a-uuid", NOT_FOUND);
  at("ids", `/imports/${UNKNOWN_ID}`, NOT_FOUND);
  at("ids", `/imports/${"b".repeat(10_000)}`, NOT_FOUND);
  at("control", `/imports/${r}%00`, NOT_FOUND);
  at("traversal", `/imports/..%2F..%2Fetc%2Fpasswd`, NOT_FOUND);
  at("traversal", `/imports/${r}%2F..`, NOT_FOUND);
  at("encoding", "/imports/%C0%AE", { statuses: [400] });
  at("encoding", "/imports/%E0%A4%A", { statuses: [400] });
  at("role", `/imports/${r}`, TO_NO_ACCESS, "nobody");
  for (const v of cx.sessions.variants.filter((v) => ["no session", "garbage cookie", "expired token (exp in the past)", "token signed in 8 h ago", "signed-out session"].includes(v.label))) {
    at("session", `/imports/${r}`, TO_SIGN_IN, v);
  }
  return out;
}

function others(cx: CorpusContext): HostileCase[] {
  const out: HostileCase[] = [];
  const at = (category: string, target: string, path: string, who: Who, expect: Expect, label = path) =>
    out.push(page(cx, category, target, `${label.slice(0, 100)} as ${typeof who === "string" ? who : "a visitor"}`, who, { path }, expect));
  at("role", "/approvals", "/approvals", "nobody", TO_NO_ACCESS);
  at("session", "/approvals", "/approvals", { cookie: null }, TO_SIGN_IN);
  at("reflection", "/approvals", `/approvals?x=${ENCODED_SCRIPT}`, "ana", { served: pageServed(SCRIPT) }, "/approvals?x=<script>");
  at("role", "/audit", "/audit", "cora", NOT_FOUND);
  at("role", "/audit", "/audit", "ana", NOT_FOUND);
  at("session", "/audit", "/audit", { cookie: cx.sessions.signedOut }, TO_SIGN_IN);
  const refusedFilter = (answer: Parameters<ReturnType<typeof pageServed>>[0]) =>
    pageServed(SCRIPT)(answer) ?? (answer.text.includes("cannot be applied") ? null : "the page does not say the filter cannot be applied");
  for (const query of ["from=2027-02-31", "from=2026-13-01", "to=2026-00-10", "from=2026-05-01&to=2026-04-01", "action=bogus", "person=a%00b", `person=${ENCODED_SCRIPT}%00`, "action=import.approved&action=import.rejected"]) {
    at(query.includes("script") ? "reflection" : "filters", "/audit", `/audit?${query}`, "aud", { served: refusedFilter });
  }
  at("filters", "/audit", "/audit?before=-5", "aud", { served: pageServed() });
  at("role", "/schedules", "/schedules", "nobody", TO_NO_ACCESS);
  at("session", "/schedules", "/schedules", { cookie: null }, TO_SIGN_IN);
  at("role", "/sessions", "/sessions", "aud", NOT_FOUND);
  at("role", "/sessions", "/sessions", "cora", NOT_FOUND);
  at("role", "/sessions", "/sessions", "nobody", TO_NO_ACCESS);
  at("session", "/sessions", "/sessions", { cookie: null }, TO_SIGN_IN);
  for (const callback of ["https://evil.example/x", "//evil.example", "/\\evil.example", "javascript:alert(1)", "%2F%2Fevil.example"]) {
    at("redirect", "/signin", `/signin?callbackUrl=${encodeURIComponent(callback)}`, { cookie: null }, { served: staysHome }, `/signin?callbackUrl=${callback}`);
  }
  at("reflection", "/signin", `/signin?error=${ENCODED_SCRIPT}`, { cookie: null }, { served: staysHome }, "/signin?error=<script>");
  at("reflection", "/signin", `/signin?reason=${ENCODED_SCRIPT}`, { cookie: null }, { served: staysHome }, "/signin?reason=<script>");
  at("role", "/no-access", "/no-access", "cora", { redirect: /\/keys$/ });
  at("session", "/no-access", "/no-access", { cookie: null }, TO_SIGN_IN);
  return out;
}

/** Posts to pages that are not server actions: from another site, as a form, malformed. */
function posts(cx: CorpusContext): HostileCase[] {
  const cora = cx.people.cora.cookie;
  const form = (fields: Record<string, string>) => {
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) body.append(k, v);
    return new Response(body);
  };
  const multipart = async (base: string, fields: Record<string, string>, origin: string) => {
    const response = form(fields);
    return rawRequest(base, {
      method: "POST",
      path: "/keys",
      headers: { Cookie: cora, Origin: origin, "Content-Type": response.headers.get("content-type")! },
      body: Buffer.from(await response.arrayBuffer()),
    });
  };
  const refresh = actionId("refreshInventory");
  // With a Next-Action header a post is an action call, whatever page it names.
  const mk = (kind: "page" | "action", category: string, name: string, send: HostileCase["send"], expect: Expect = {}): HostileCase =>
    ({ kind, category, target: kind === "action" ? "any action (POST /keys)" : "POST /keys", name, send, expect });
  return [
    mk("page", "origin", "a form post from another site", (base) =>
      rawRequest(base, { method: "POST", path: "/keys", headers: { Cookie: cora, Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" }, body: "a=b" }),
      { statuses: [403] },
    ),
    mk("page", "origin", "a no-JavaScript action form from another site", (base) => multipart(base, { [`$ACTION_ID_${refresh}`]: "" }, "https://evil.example"), { statuses: [403] }),
    mk("page", "forged-id", "a no-JavaScript action form naming no action", (base) => multipart(base, { [`$ACTION_ID_${"7f".padEnd(42, "0")}`]: "" }, base)),
    mk("page", "encoding", "a no-JavaScript action form with a broken bound argument", (base) => multipart(base, { "$ACTION_REF_1": "", "$ACTION_1:0": '{"id":"nope","bound":"$@1"}', "$ACTION_KEY": "k" }, base)),
    mk("page", "size", "10 MB without a session (no action header)", (base) => rawRequest(base, { method: "POST", path: "/keys", fillBytes: 10 * 1024 * 1024, headers: { "Content-Type": "text/plain" } }), { statuses: [413] }),
    mk("action", "size", "10 MB chunked without a session", (base) => rawRequest(base, { method: "POST", path: "/keys", fillBytes: 10 * 1024 * 1024, chunked: true, headers: { "Next-Action": refresh } }), { statuses: [411, 413] }),
    mk("action", "size", "10 MB with a session and an action header", (base) => rawRequest(base, { method: "POST", path: "/keys", fillBytes: 10 * 1024 * 1024, headers: { Cookie: cora, "Next-Action": refresh, Origin: base } }), { statuses: [413] }),
    mk("action", "size", "10 MB chunked with a session and an action header", (base) =>
      rawRequest(base, { method: "POST", path: "/keys", fillBytes: 10 * 1024 * 1024, chunked: true, headers: { Cookie: cora, "Next-Action": refresh, Origin: base } }),
    ),
    mk("action", "size", "10 MB with a session, an action header and a prefetch header", (base) =>
      rawRequest(base, { method: "POST", path: "/keys", fillBytes: 10 * 1024 * 1024, headers: { Cookie: cora, "Next-Action": refresh, Origin: base, "Next-Router-Prefetch": "1" } }),
    ),
    mk("action", "size", "20 KB without a session (over the signed-out limit)", (base) => rawRequest(base, { method: "POST", path: "/keys", fillBytes: 20 * 1024, headers: { "Next-Action": refresh } }), { statuses: [413] }),
    mk("action", "size", "70 KB with a session (over any action's limit)", (base) => rawRequest(base, { method: "POST", path: "/keys", fillBytes: 70 * 1024, headers: { Cookie: cora, "Next-Action": refresh, Origin: base } }), { statuses: [413] }),
    mk("action", "origin", "an action from another site with a prefetch header", (base) =>
      rawRequest(base, { method: "POST", path: "/keys", headers: { Cookie: cora, "Next-Action": refresh, Origin: "https://evil.example", "Next-Router-Prefetch": "1", "Content-Type": "text/plain" }, body: "[{}]" }),
      { statuses: [403] },
    ),
    mk("action", "encoding", "a malformed action body with a prefetch header", (base) =>
      rawRequest(base, { method: "POST", path: "/keys", headers: { Cookie: cora, "Next-Action": refresh, Origin: base, "Next-Router-Prefetch": "1", "Content-Type": "text/plain" }, body: "[" }),
    ),
  ];
}

export function pageCases(cx: CorpusContext): HostileCase[] {
  return [...keys(cx), ...imports(cx), ...others(cx), ...posts(cx)];
}
