/**
 * Hostile requests to every route handler under app/api: the audit export, sign-out's end-session step, the
 * demo clock (which production mode must refuse), the health probe, the import parameter downloads, the
 * imports stamp, the inventory status, a key's material history, a request's evidence record, and next-auth's
 * own endpoints.
 */
import type { Username } from "../stack";
import { INJECTED, UNKNOWN_ID, type CorpusContext, type HostileCase } from "./hostile-corpus";
import type { Expect } from "./hostile-expect";
import { rawRequest, type Answer, type RawRequest } from "./hostile-http";

type Who = Username | { cookie: string | null };

function route(cx: CorpusContext, category: string, target: string, name: string, who: Who, request: RawRequest, expect?: Expect): HostileCase {
  const cookie = typeof who === "string" ? cx.people[who].cookie : who.cookie;
  const headers = { ...(cookie ? { Cookie: cookie } : {}), ...request.headers };
  return { kind: "route", category, target, name, expect, send: (base) => rawRequest(base, { ...request, headers }) };
}

const get = (path: string): RawRequest => ({ path });
const post = (path: string, body?: string, headers: Record<string, string> = {}): RawRequest => ({
  method: "POST",
  path,
  body,
  headers: { "Content-Type": "application/json", ...headers },
});

const INVALID_400: Expect = { statuses: [400], codes: ["invalid_input"] };
const NOT_FOUND: Expect = { statuses: [404] };
const UNAUTHENTICATED: Expect = { statuses: [401], codes: ["unauthenticated"] };
const FORBIDDEN: Expect = { statuses: [403], codes: ["forbidden"] };
const CROSS_ORIGIN: Expect = { statuses: [403], codes: ["cross_origin"] };
const UNDECODABLE: Expect = { statuses: [400] };

/** The health probe tells a caller who is not an admin whether Keyport can serve, and nothing else. */
function onlyOk(answer: Answer): string | null {
  if (answer.status !== 200 && answer.status !== 503) return `status ${answer.status}`;
  const keys = answer.json && typeof answer.json === "object" ? Object.keys(answer.json) : [];
  if (keys.join(",") !== "ok") return `the probe says more than ok/not ok: ${answer.text.slice(0, 200)}`;
  if (/version|\d+\.\d+\.\d+|postgres|pglite|node/i.test(answer.text)) return `the probe names versions: ${answer.text.slice(0, 200)}`;
  return null;
}

/** end-session without a live session of the caller's: nothing to revoke, at most the provider's end-session URL. */
function nothingRevoked(idp: string) {
  return (answer: Answer): string | null => {
    const url = (answer.json as { url?: unknown } | undefined)?.url;
    if (answer.status !== 200) return `status ${answer.status}`;
    return url === null || (typeof url === "string" && url.startsWith(idp)) ? null : `unexpected answer ${answer.text.slice(0, 200)}`;
  };
}

function auditExport(cx: CorpusContext): HostileCase[] {
  const T = "GET /api/audit/export";
  const out: HostileCase[] = [];
  const bad = (category: string, query: string, label = query) =>
    out.push(route(cx, category, T, `?${label.slice(0, 80)}`, "aud", get(`/api/audit/export${query ? `?${query}` : ""}`), INVALID_400));
  bad("enums", "", "(no format)");
  bad("enums", "format=xml");
  bad("enums", "format=CSV");
  bad("contradiction", "format=csv&format=jsonl");
  bad("contradiction", "format=jsonl&action=import.approved&action=import.rejected");
  bad("contradiction", "format=csv&from=2026-01-01&from=2026-01-02");
  bad("enums", "format=jsonl&action=bogus");
  bad("control", "format=jsonl&action=import.approved%00");
  for (const day of ["from=2027-02-31", "from=2026-13-01", "from=2026-00-10", "from=2025-02-29", "to=2026-02-30", "from=2026-05-01T00:00:00Z", "from=-1", "to=99999-01-01"]) {
    bad("dates", `format=csv&${day}`);
  }
  bad("contradiction", "format=csv&from=2026-05-01&to=2026-04-01");
  for (const request of ["abc", "..%2F..%2Fetc%2Fpasswd", "%00%00%00%00%00%00%00%00", "zzzzzzzz"]) bad("ids", `format=csv&request=${request}`);
  for (const key of ["..%2F..%2F..%2Fetc%2Fpasswd", "arn%3Aaws%3Akms%3Aeu-west-1%3A12%3Akey%2Fx", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "a".repeat(3000)]) {
    bad(key.length > 2000 ? "long" : "ids", `format=csv&key=${key}`, `format=csv&key=${key.slice(0, 40)}${key.length > 40 ? `… (${key.length})` : ""}`);
  }
  bad("long", `format=csv&person=${"p".repeat(10_000)}`, "format=csv&person=(10,000 characters)");
  bad("crlf", `format=csv&person=x%0D%0A${INJECTED}`);
  bad("control", "format=csv&person=a%00b");
  bad("control", "format=csv&person=a%07b");
  out.push(
    route(cx, "long", T, "?person=(100,000 characters)", "aud", get(`/api/audit/export?format=csv&person=${"q".repeat(100_000)}`), {
      statuses: [414, 431],
      noAppHeaders: "a URL over Node's 16 KB header limit is answered by Node's HTTP parser, before Keyport sees it",
    }),
  );
  for (const v of cx.sessions.variants) out.push(route(cx, "session", T, v.label, v, get("/api/audit/export?format=csv"), UNAUTHENTICATED));
  for (const who of ["cora", "ana", "nobody"] as const) out.push(route(cx, "role", T, `as ${who}`, who, get("/api/audit/export?format=csv"), FORBIDDEN));
  out.push(route(cx, "method", "POST /api/audit/export", "POST", "aud", post("/api/audit/export?format=csv", "{}")));
  out.push(route(cx, "method", "DELETE /api/audit/export", "DELETE", "aud", { method: "DELETE", path: "/api/audit/export" }));
  return out;
}

function endSession(cx: CorpusContext, idp: string): HostileCase[] {
  const T = "POST /api/auth/end-session";
  const spare = { cookie: cx.sessions.spare.cookie };
  const out: HostileCase[] = [
    route(cx, "method", "GET /api/auth/end-session", "GET", spare, get("/api/auth/end-session")),
    route(cx, "method", "PUT /api/auth/end-session", "PUT", spare, { method: "PUT", path: "/api/auth/end-session" }),
  ];
  // Obeyed, these would revoke the spare session: the suite checks afterwards that it is still live.
  for (const [label, headers] of [
    ["Origin: https://evil.example", { Origin: "https://evil.example" }],
    ["Origin: null", { Origin: "null" }],
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "Sec-Fetch-Site": "same-site" }],
  ] as const) {
    out.push(route(cx, "origin", T, label, spare, post("/api/auth/end-session", "", headers), CROSS_ORIGIN));
  }
  // Not the token signed in 8 hours ago: it is minted from a session whose record is live, and a person may
  // always end their own session's record, however old its token (an aged real token's record has expired too).
  for (const v of cx.sessions.variants.filter((v) => v.label !== "token signed in 8 h ago")) {
    out.push(route(cx, "session", T, v.label, v, post("/api/auth/end-session", ""), { served: nothingRevoked(idp) }));
  }
  out.push(route(cx, "size", T, "10 MB without a session", { cookie: null }, { method: "POST", path: "/api/auth/end-session", fillBytes: 10 * 1024 * 1024 }, { statuses: [413] }));
  out.push(route(cx, "size", T, "100 KB with a session", spare, { method: "POST", path: "/api/auth/end-session", fillBytes: 100 * 1024 }, { statuses: [413] }));
  return out;
}

function demoClock(cx: CorpusContext): HostileCase[] {
  const gone: Expect = { statuses: [404], codes: ["not_found"] };
  const out: HostileCase[] = [route(cx, "production", "GET /api/demo/clock", "as an admin", "adm", get("/api/demo/clock"), gone)];
  for (const body of ['{"advanceMs":1000}', '{"advanceMs":-1000}', '{"offsetMs":1e15}', '{"offsetMs":0}', "garbage", '{"advanceMs":"1000"}']) {
    out.push(route(cx, "production", "POST /api/demo/clock", `as an admin: ${body}`, "adm", post("/api/demo/clock", body), gone));
  }
  for (const v of cx.sessions.variants) {
    out.push(route(cx, "session", "POST /api/demo/clock", v.label, v, post("/api/demo/clock", '{"advanceMs":1000}'), UNAUTHENTICATED));
  }
  out.push(route(cx, "session", "GET /api/demo/clock", "no session", { cookie: null }, get("/api/demo/clock"), UNAUTHENTICATED));
  for (const who of ["nobody", "cora", "ana", "aud"] as const) out.push(route(cx, "role", "POST /api/demo/clock", `as ${who}`, who, post("/api/demo/clock", '{"advanceMs":1000}'), FORBIDDEN));
  out.push(route(cx, "origin", "POST /api/demo/clock", "Origin: https://evil.example", "adm", post("/api/demo/clock", '{"advanceMs":1000}', { Origin: "https://evil.example" }), CROSS_ORIGIN));
  out.push(route(cx, "method", "DELETE /api/demo/clock", "DELETE", "adm", { method: "DELETE", path: "/api/demo/clock" }));
  out.push(route(cx, "size", "POST /api/demo/clock", "10 MB as an admin", "adm", { method: "POST", path: "/api/demo/clock", fillBytes: 10 * 1024 * 1024 }, { statuses: [413] }));
  return out;
}

function health(cx: CorpusContext): HostileCase[] {
  const T = "GET /api/health";
  const out: HostileCase[] = [];
  for (const v of cx.sessions.variants) out.push(route(cx, "disclosure", T, v.label, v, get("/api/health"), { served: onlyOk }));
  for (const who of ["cora", "nobody", "aud"] as const) out.push(route(cx, "disclosure", T, `as ${who}`, who, get("/api/health"), { served: onlyOk }));
  out.push(route(cx, "disclosure", T, "?verbose=1&debug=true", { cookie: null }, get("/api/health?verbose=1&debug=true"), { served: onlyOk }));
  out.push(route(cx, "method", "POST /api/health", "POST", { cookie: null }, post("/api/health", "{}")));
  out.push(route(cx, "method", "PUT /api/health", "PUT", { cookie: null }, { method: "PUT", path: "/api/health" }));
  return out;
}

/** A multi-Region session's bundle: the same guards as a single request's download, for ids and roles. */
function sessionBundle(cx: CorpusContext): HostileCase[] {
  const T = "GET /api/imports/sessions/[id]/bundle";
  const out: HostileCase[] = [];
  const at = (category: string, path: string, expect: Expect, who: Who = "cora") =>
    out.push(route(cx, category, T, path.length > 100 ? `${path.slice(0, 90)}… (${path.length})` : path, who, get(path), expect));
  at("ids", "/api/imports/sessions/not-a-uuid/bundle", NOT_FOUND);
  at("ids", `/api/imports/sessions/${UNKNOWN_ID}/bundle`, NOT_FOUND);
  at("ids", `/api/imports/sessions/${"a".repeat(10_000)}/bundle`, NOT_FOUND);
  // A request id is not a session id: nothing of that request is handed out here.
  at("ids", `/api/imports/sessions/${cx.fx.issued.id}/bundle`, NOT_FOUND);
  for (const who of ["aud", "ana", "nobody"] as const) at("role", `/api/imports/sessions/${UNKNOWN_ID}/bundle`, FORBIDDEN, who);
  for (const v of cx.sessions.variants) out.push(route(cx, "session", T, v.label, v, get(`/api/imports/sessions/${UNKNOWN_ID}/bundle`), UNAUTHENTICATED));
  out.push(route(cx, "method", `POST ${T}`, "POST", "cora", post(`/api/imports/sessions/${UNKNOWN_ID}/bundle`, "{}")));
  return out;
}

function downloads(cx: CorpusContext): HostileCase[] {
  const { fx } = cx;
  const T = "GET /api/imports/[id]/files/[file]";
  const out: HostileCase[] = [];
  const at = (category: string, path: string, expect: Expect, who: Who = "cora") =>
    out.push(route(cx, category, T, path.length > 100 ? `${path.slice(0, 90)}… (${path.length})` : path, who, get(path), expect));
  const r = fx.issued.id;
  at("ids", "/api/imports/not-a-uuid/files/ImportToken.bin", NOT_FOUND);
  at("ids", `/api/imports/${UNKNOWN_ID}/files/ImportToken.bin`, NOT_FOUND);
  at("ids", `/api/imports/${"a".repeat(10_000)}/files/ImportToken.bin`, NOT_FOUND);
  at("ids", `/api/imports/${r}' OR '1'='1/files/ImportToken.bin`.replace(/ /g, "%20").replace(/'/g, "%27"), NOT_FOUND);
  at("enums", `/api/imports/${r}/files/Evil.bin`, NOT_FOUND);
  at("enums", `/api/imports/${r}/files/importtoken.bin`, NOT_FOUND);
  at("control", `/api/imports/${r}/files/ImportToken.bin%00`, NOT_FOUND);
  at("traversal", `/api/imports/${r}/files/..%2F..%2F..%2Fetc%2Fpasswd`, NOT_FOUND);
  at("traversal", `/api/imports/${r}/files/%2e%2e`, {
    redirect: new RegExp(`^/api/imports/${r}$`),
    noAppHeaders: "Next.js resolves a trailing %2e%2e segment with a bare 308 (no body) before Keyport's proxy and headers run",
  });
  at("traversal", `/api/imports/${r}/files/ImportToken.bin%2F..%2F..%2Fx`, NOT_FOUND);
  at("traversal", "/api/imports/%2e%2e/files/ImportToken.bin", NOT_FOUND);
  at("traversal", `/api/imports/..%2F${r}/files/ImportToken.bin`, NOT_FOUND);
  at("traversal", `/api/imports/${r}/files/../ImportToken.bin`, NOT_FOUND);
  at("traversal", "/api/imports/../../../etc/passwd", NOT_FOUND);
  at("encoding", "/api/imports/x/files/%C0%AE", UNDECODABLE);
  at("encoding", "/api/imports/%E0%A4%A/files/x", UNDECODABLE);
  at("encoding", "/api/imports/%ZZ/files/x", UNDECODABLE);
  at("encoding", `/api/imports/${r}/files/%FF`, UNDECODABLE);
  at("encoding", `/api/imports/${r}/files/%ED%A0%80`, UNDECODABLE);
  at("state", `/api/imports/${fx.imported.id}/files/ImportToken.bin`, { statuses: [410], codes: ["gone"] });
  for (const who of ["aud", "ana", "nobody"] as const) at("role", `/api/imports/${r}/files/ImportToken.bin`, FORBIDDEN, who);
  at("role", `/api/imports/${r.toUpperCase()}/files/ImportToken.bin`, FORBIDDEN, "aud");
  for (const v of cx.sessions.variants) out.push(route(cx, "session", T, v.label, v, get(`/api/imports/${r}/files/ImportParameters.zip`), UNAUTHENTICATED));
  out.push(route(cx, "method", `POST ${T}`, "POST", "cora", post(`/api/imports/${r}/files/ImportToken.bin`, "{}")));
  out.push(route(cx, "method", `DELETE ${T}`, "DELETE", "cora", { method: "DELETE", path: `/api/imports/${r}/files/ImportToken.bin` }));
  return out;
}

function polled(cx: CorpusContext): HostileCase[] {
  const { fx } = cx;
  const out: HostileCase[] = [];
  const S = "GET /api/imports/stamp";
  for (const query of [
    "request=garbage",
    `request=${fx.awaiting.id}&request=${fx.imported.id}`,
    "request=%27%20OR%201%3D1--",
    `request=${fx.awaiting.id}%00`,
    "session=garbage",
    `request=${fx.awaiting.id}&session=${fx.awaiting.id}`,
  ]) {
    out.push(route(cx, query.includes("&") ? "contradiction" : "ids", S, `?${query.slice(0, 60)}`, "aud", get(`/api/imports/stamp?${query}`), INVALID_400));
  }
  for (const v of cx.sessions.variants) out.push(route(cx, "session", S, v.label, v, get("/api/imports/stamp"), UNAUTHENTICATED));
  out.push(route(cx, "role", S, "as nobody", "nobody", get("/api/imports/stamp"), FORBIDDEN));
  out.push(route(cx, "method", "POST /api/imports/stamp", "POST", "aud", post("/api/imports/stamp", "{}")));
  const I = "GET /api/inventory/status";
  for (const v of cx.sessions.variants) out.push(route(cx, "session", I, v.label, v, get("/api/inventory/status"), UNAUTHENTICATED));
  out.push(route(cx, "role", I, "as nobody", "nobody", get("/api/inventory/status"), FORBIDDEN));
  out.push(route(cx, "method", "POST /api/inventory/status", "POST", "cora", post("/api/inventory/status", "{}")));
  out.push(route(cx, "method", "POST /api/inventory/status", "POST from another site", "cora", post("/api/inventory/status", "{}", { Origin: "https://evil.example" })));
  return out;
}

function material(cx: CorpusContext): HostileCase[] {
  const k = cx.fx.imported.keyId;
  const T = "GET /api/keys/[target]/[region]/[keyId]/material";
  const out: HostileCase[] = [];
  const at = (category: string, segments: string, expect: Expect = NOT_FOUND, who: Who = "aud") =>
    out.push(route(cx, category, T, segments.length > 100 ? `${segments.slice(0, 90)}… (${segments.length})` : segments, who, get(`/api/keys/${segments}/material`), expect));
  at("ids", "payments-production/eu-west-1/not-a-key");
  at("ids", `payments-production/eu-west-1/${k.toUpperCase()}`);
  at("ids", `payments-production/eu-west-1/arn%3Aaws%3Akms%3Aeu-west-1%3A222222222222%3Akey%2F${k}`);
  at("ids", `payments-production/eu-west-1/mrk-${"0".repeat(32)}`);
  at("ids", `payments-production/eu-west-1/${UNKNOWN_ID}`);
  at("ids", `payments-production/eu-west-1/${"f".repeat(10_000)}`);
  at("ids", `constructor/eu-west-1/${k}`);
  at("ids", `__proto__/eu-west-1/${k}`);
  at("ids", `payments-production/us-east-1/${k}`);
  at("ids", `data-platform-staging/eu-west-1/${k}`);
  at("control", `payments-production/eu-west-1/${k}%00`);
  at("traversal", `%2e%2e/eu-west-1/${k}`);
  at("traversal", `payments-production/eu-west-1%2F..%2F/${k}`);
  at("traversal", `payments-production/..%2F..%2F/${k}`);
  at("encoding", `payments-production/eu-west-1/${k}%E0%A4%A`, UNDECODABLE);
  for (const v of cx.sessions.variants) out.push(route(cx, "session", T, v.label, v, get(`/api/keys/payments-production/eu-west-1/${k}/material`), UNAUTHENTICATED));
  out.push(route(cx, "role", T, "as nobody", "nobody", get(`/api/keys/payments-production/eu-west-1/${k}/material`), FORBIDDEN));
  out.push(route(cx, "method", `POST ${T}`, "POST", "cora", post(`/api/keys/payments-production/eu-west-1/${k}/material`, "{}")));
  return out;
}

function nextAuth(cx: CorpusContext): HostileCase[] {
  // next-auth sends a failed sign-in through its error route, which sends it on to Keyport's sign-in page.
  const toSignIn: Expect = { redirect: /\/(signin|api\/auth\/error)(\?|$)/ };
  const none = { cookie: null };
  return [
    route(cx, "ids", "GET /api/auth/callback/oidc", "a code and state nobody issued", none, get("/api/auth/callback/oidc?code=forged&state=forged"), toSignIn),
    route(cx, "control", "GET /api/auth/callback/oidc", "an error with markup", none, get("/api/auth/callback/oidc?error=access_denied&error_description=%3Cscript%3E"), toSignIn),
    route(cx, "ids", "GET /api/auth/signin/[provider]", "a provider that does not exist", none, get("/api/auth/signin/evil"), toSignIn),
    route(cx, "origin", "POST /api/auth/signin/oidc", "Origin: https://evil.example", none, post("/api/auth/signin/oidc", "csrfToken=x", { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" }), CROSS_ORIGIN),
    route(cx, "origin", "POST /api/auth/signout", "Origin: https://evil.example", "cora", post("/api/auth/signout", "csrfToken=x", { Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" }), CROSS_ORIGIN),
    // next-auth's answer to a sign-out without its CSRF token: back to its confirmation step.
    route(cx, "ids", "POST /api/auth/signout", "a forged CSRF token", none, post("/api/auth/signout", "csrfToken=forged", { "Content-Type": "application/x-www-form-urlencoded" }), {
      redirect: /\/api\/auth\/signout\?csrf=true$/,
    }),
    route(cx, "size", "POST /api/auth/signin/oidc", "10 MB without a session", none, { method: "POST", path: "/api/auth/signin/oidc", fillBytes: 10 * 1024 * 1024 }, { statuses: [413] }),
    route(cx, "ids", "GET /api/nothing-here", "an API path with no route", "cora", get("/api/nothing-here"), NOT_FOUND),
  ];
}

/** A request's evidence record: for those who may export the trail, of a request that exists. */
function evidence(cx: CorpusContext): HostileCase[] {
  const T = "GET /api/imports/[id]/evidence";
  const path = `/api/imports/${cx.fx.imported.id}/evidence`;
  return [
    route(cx, "session", T, "signed out", { cookie: null }, get(path), UNAUTHENTICATED),
    route(cx, "role", T, "as a custodian", "cora", get(path), FORBIDDEN),
    route(cx, "role", T, "as an approver", "ana", get(path), FORBIDDEN),
    route(cx, "ids", T, "not a uuid", "aud", get("/api/imports/not-a-uuid/evidence"), NOT_FOUND),
    route(cx, "ids", T, "an id no request has", "aud", get(`/api/imports/${UNKNOWN_ID}/evidence`), NOT_FOUND),
    route(cx, "method", T, "POST", "aud", post(path, "{}")),
  ];
}

/** The key-age report's CSV: for those who export evidence, with the filters the page sends and nothing else. */
function keyAgeExport(cx: CorpusContext): HostileCase[] {
  const T = "GET /api/reports/key-age/export";
  const path = "/api/reports/key-age/export";
  return [
    route(cx, "session", T, "signed out", { cookie: null }, get(path), UNAUTHENTICATED),
    ...(["cora", "ana", "nobody"] as const).map((who) => route(cx, "role", T, `as ${who}`, who, get(path), FORBIDDEN)),
    route(cx, "enums", T, "?age=ancient", "aud", get(`${path}?age=ancient`), INVALID_400),
    route(cx, "contradiction", T, "?age given twice", "aud", get(`${path}?age=over-1y&age=under-90d`), INVALID_400),
    route(cx, "ids", T, "?region=EU-WEST-1", "aud", get(`${path}?region=EU-WEST-1`), INVALID_400),
    route(cx, "control", T, "?q with NUL", "aud", get(`${path}?q=a%00b`), INVALID_400),
    route(cx, "contradiction", T, "a parameter it does not take", "aud", get(`${path}?sort=ageDays`), INVALID_400),
    route(cx, "method", "POST /api/reports/key-age/export", "POST", "aud", post(path, "{}")),
  ];
}

export function routeCases(cx: CorpusContext, idpIssuer: string): HostileCase[] {
  return [
    ...auditExport(cx),
    ...endSession(cx, idpIssuer),
    ...demoClock(cx),
    ...health(cx),
    ...downloads(cx),
    ...sessionBundle(cx),
    ...polled(cx),
    ...material(cx),
    ...evidence(cx),
    ...keyAgeExport(cx),
    ...nextAuth(cx),
  ];
}
