import { notFound, redirect } from "next/navigation";
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { auditHead, listAuditEvents, verifyAudit } from "@/lib/audit";
import type { Role } from "@/lib/config/schema";
import { useAsProcessDatabase } from "@/lib/db";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { KeyportError } from "@/lib/errors";
import { decisionSchema } from "@/lib/imports/schemas";
import { ForbiddenError } from "./errors";
import { GUARD, defineAction, defineRoute, formDataToObject, guardOf, observeGuards, type GuardEvent } from "./guard";
import { replaceSessionReader, requirePermission, requireRole } from "./session";
import type { Session } from "./session-token";
import { revokeSession } from "./session-record";
import { withLiveRecord } from "./testing/sessions";

const as = (...roles: Role[]): Session => ({ user: { id: `user-${roles.join("-") || "none"}`, name: "Test Person", email: "t@example.com", roles } });

let current: Session | null = null;
let restore: () => void;
let events: GuardEvent[];
let unobserve: () => void;

// Refusals of signed-in people are written to the audit trail: a real database stands in as the process's.
let database: TestDatabase;
let restoreDatabase: () => void;
beforeAll(async () => {
  database = await createTestDatabase("pglite");
  restoreDatabase = useAsProcessDatabase(database.database);
});
afterAll(async () => {
  restoreDatabase?.();
  await database?.cleanup();
});

async function deniedSince(seq: number) {
  const { events } = await listAuditEvents(database.database.db, { action: "auth.access_denied" }, { limit: 200 });
  return events.filter((e) => e.seq > seq).reverse();
}
async function lastSeq() {
  return (await auditHead(database.database.db)).lastSeq;
}

beforeEach(() => {
  current = null;
  restore = replaceSessionReader(async () => current && (await withLiveRecord(current)));
  events = [];
  unobserve = observeGuards((e) => events.push(e));
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});

afterEach(() => {
  restore();
  unobserve();
  vi.restoreAllMocks();
});

const schema = z.object({ requestId: z.string().uuid("must be a request id"), note: z.string().max(5, "is too long").optional() });
const ID = "7f6c8b2e-3d6a-4c1b-9a0e-2b7f1d9c4e5a";

function approveAction(body: (input: z.output<typeof schema>) => Promise<unknown> = async (input) => ({ approved: input.requestId })) {
  const handler = vi.fn(async (input: z.output<typeof schema>, _ctx: { session: Session }) => body(input));
  const action = defineAction({ name: "approveImport", permission: "imports.approve", schema }, handler);
  return { action, handler };
}

describe("defineAction", () => {
  it("declares its permission where tests can find it", () => {
    const { action } = approveAction();
    expect(guardOf(action)).toEqual({ kind: "action", name: "approveImport", permission: "imports.approve" });
    expect(action[GUARD].kind).toBe("action");
  });

  it("refuses a decision posted as both approve and reject, before the handler runs", async () => {
    const handler = vi.fn(async () => "decided");
    const action = defineAction({ name: "decideImportRequest", permission: "imports.approve", schema: decisionSchema }, handler);
    const form = new FormData();
    form.append("requestId", ID);
    form.append("decision", "approve");
    form.append("decision", "reject");
    form.append("comment", "looks fine");
    form.append("blobSha256", "a".repeat(64));
    form.append("confirmed", "on");
    current = as("approver");
    await expect(action(form)).resolves.toMatchObject({ ok: false, code: "invalid_input", fieldErrors: { decision: ["Give one value here, not 2."] } });
    expect(handler).not.toHaveBeenCalled();
    form.delete("decision");
    form.append("decision", "approve");
    await expect(action(form)).resolves.toEqual({ ok: true, data: "decided" });
  });

  it("refuses to be defined with a permission the table does not know", () => {
    expect(() => defineAction({ name: "x", permission: "imports.approvee" as never, schema }, async () => 1)).toThrow(/unknown permission "imports.approvee"/);
  });

  it("1. without a session: unauthenticated, before anything else", async () => {
    const { action, handler } = approveAction();
    await expect(action({ requestId: "not valid" })).resolves.toEqual({
      ok: false,
      code: "unauthenticated",
      message: expect.stringMatching(/sign in again/i),
    });
    expect(handler).not.toHaveBeenCalled();
    expect(events).toEqual([{ kind: "action", name: "approveImport", outcome: "unauthenticated" }]);
  });

  it("2. with a role that lacks the permission: forbidden, before the input is even looked at", async () => {
    const { action, handler } = approveAction();
    const before = await lastSeq();
    for (const roles of [[], ["custodian"], ["auditor", "custodian"]] as Role[][]) {
      current = as(...roles);
      await expect(action({ requestId: "not valid" })).resolves.toMatchObject({ ok: false, code: "forbidden" });
    }
    expect(handler).not.toHaveBeenCalled();
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining("lacks imports.approve"));
    // Each refusal is in the audit trail, naming the person, their roles and what they tried.
    const denied = await deniedSince(before);
    expect(denied.map((e) => [e.actor.subject, e.actor.roles, e.details])).toEqual(
      [[], ["custodian"], ["auditor", "custodian"]].map((roles) => [
        `user-${roles.join("-") || "none"}`,
        roles,
        { kind: "action", name: "approveImport", permission: "imports.approve", email: "t@example.com" },
      ]),
    );
    await expect(verifyAudit(database.database.db)).resolves.toMatchObject({ ok: true });
  });

  it("refuses just the same when the audit trail cannot record the refusal", async () => {
    const { action, handler } = approveAction();
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    // A database that still holds the session's record but whose audit trail takes no more events.
    const broken = await createTestDatabase("pglite");
    const restore = useAsProcessDatabase(broken.database);
    try {
      current = as("custodian");
      await withLiveRecord(current);
      await broken.database.db.execute(sql`ALTER TABLE audit_events RENAME TO audit_events_gone`);
      await expect(action({ requestId: ID })).resolves.toMatchObject({ ok: false, code: "forbidden" });
    } finally {
      restore();
      await broken.cleanup().catch(() => undefined);
    }
    expect(handler).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('while recording a refused action "approveImport" of user-custodian in the audit trail'));
  });

  it("records nothing for a caller without a session: there is nobody to name", async () => {
    const { action } = approveAction();
    const before = await lastSeq();
    await expect(action({ requestId: ID })).resolves.toMatchObject({ code: "unauthenticated" });
    expect(await deniedSince(before)).toEqual([]);
  });

  it("3. with bad input: invalid_input with errors per field", async () => {
    const { action, handler } = approveAction();
    current = as("approver");
    const result = await action({ requestId: "nope", note: "far too long" });
    expect(result).toEqual({
      ok: false,
      code: "invalid_input",
      message: expect.any(String),
      fieldErrors: { requestId: ["must be a request id"], note: ["is too long"] },
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it("4. success: the handler gets the parsed input and the session, the caller its data", async () => {
    const { action, handler } = approveAction();
    current = as("approver");
    await expect(action({ requestId: ID })).resolves.toEqual({ ok: true, data: { approved: ID } });
    expect(handler).toHaveBeenCalledWith({ requestId: ID }, { session: { ...current, sessionId: expect.any(String) } });
    expect(events.at(-1)?.outcome).toBe("entered");
  });

  it("lets an admin through (admins hold every permission)", async () => {
    const { action } = approveAction();
    current = as("admin");
    await expect(action({ requestId: ID })).resolves.toMatchObject({ ok: true });
  });

  it("accepts a submitted form", async () => {
    const { action, handler } = approveAction();
    current = as("approver");
    const form = new FormData();
    form.set("requestId", ID);
    form.set("$ACTION_ID_abc", "");
    await expect(action(form)).resolves.toMatchObject({ ok: true });
    expect(handler).toHaveBeenCalledWith({ requestId: ID }, expect.anything());
  });

  it("5. a known failure reaches the client with its code, message and field errors", async () => {
    const { action } = approveAction(async () => {
      throw new KeyportError("own_request", "You cannot approve your own request.", { fieldErrors: { requestId: ["is yours"] } });
    });
    current = as("approver");
    await expect(action({ requestId: ID })).resolves.toEqual({
      ok: false,
      code: "own_request",
      message: "You cannot approve your own request.",
      fieldErrors: { requestId: ["is yours"] },
    });
  });

  it("6. an unknown failure is logged with a reference; the client gets only a generic message and that reference", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { action } = approveAction(async () => {
      throw new Error("connect ECONNREFUSED 10.0.0.5:5432 password=hunter2");
    });
    current = as("approver");
    const result = await action({ requestId: ID });
    expect(result).toMatchObject({ ok: false, code: "internal", reference: expect.stringMatching(/^[0-9a-f]{12}$/) });
    if (result.ok) throw new Error("unreachable");
    expect(result.message).toContain(result.reference);
    expect(JSON.stringify(result)).not.toMatch(/ECONNREFUSED|hunter2|10\.0\.0\.5/);
    expect(error).toHaveBeenCalledOnce();
    const logged = error.mock.calls[0]!.map(String).join(" ");
    expect(logged).toContain(result.reference);
    // The operator gets the class and the stack, never the message: it named a host and a password.
    expect(logged).toMatch(/Error\n\s+at /);
    expect(logged).not.toMatch(/ECONNREFUSED|hunter2|10\.0\.0\.5/);
  });

  it("logs a failed query without its SQL or its parameters", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { action } = approveAction(async () => {
      // A real driver error: the database quotes the parameter in its message, drizzle adds the query and its parameters.
      await database.database.db.execute(sql`select ${"Alice Example <alice@example.com>\u0001"}::int as n`);
    });
    current = as("approver");
    const result = await action({ requestId: ID });
    expect(result).toMatchObject({ ok: false, code: "internal" });
    expect(error).toHaveBeenCalledOnce();
    const logged = error.mock.calls[0]!.map(String).join(" ");
    expect(logged).toContain(`ref ${result.ok ? "" : result.reference}`);
    expect(logged).not.toMatch(/alice|Alice|select|::int|\u0001/);
  });

  it("treats a broken session read as an unknown failure, not as signed out", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    restore();
    restore = replaceSessionReader(async () => {
      throw new Error("config exploded");
    });
    const { action } = approveAction();
    await expect(action({ requestId: ID })).resolves.toMatchObject({ ok: false, code: "internal" });
  });

  it("lets redirect() and notFound() through to Next", async () => {
    current = as("approver");
    const redirecting = approveAction(async () => redirect("/imports/abc")).action;
    await expect(redirecting({ requestId: ID })).rejects.toMatchObject({ digest: expect.stringContaining("NEXT_REDIRECT") });
    const missing = approveAction(async () => notFound()).action;
    await expect(missing({ requestId: ID })).rejects.toMatchObject({ digest: expect.stringContaining("404") });
  });

  it("passes a permission check made inside the handler through as forbidden", async () => {
    const { action } = approveAction(async () => {
      throw new ForbiddenError();
    });
    current = as("approver");
    await expect(action({ requestId: ID })).resolves.toMatchObject({ ok: false, code: "forbidden" });
  });
});

describe("defineRoute", () => {
  const request = (url = "http://keyport.test/api/audit/export?format=csv") => new NextRequest(url);
  const context = (params: Record<string, string> = {}) => ({ params: Promise.resolve(params) });

  function exportRoute() {
    const handler = vi.fn(async (_req: NextRequest, ctx: { query: { format: string }; params: { id: string } }) =>
      Response.json({ format: ctx.query.format, id: ctx.params.id }),
    );
    const route = defineRoute(
      {
        name: "GET /api/audit/[id]",
        permission: "audit.export",
        params: z.object({ id: z.string().regex(/^\d+$/) }),
        query: z.object({ format: z.enum(["csv", "jsonl"]) }),
      },
      handler,
    );
    return { route, handler };
  }

  it("declares its permission", () => {
    expect(guardOf(exportRoute().route)).toEqual({ kind: "route", name: "GET /api/audit/[id]", permission: "audit.export" });
  });

  it("answers 401 without a session and 403 with the wrong role, without running the handler", async () => {
    const { route, handler } = exportRoute();
    const unauthenticated = await route(request(), context({ id: "1" }));
    expect(unauthenticated.status).toBe(401);
    await expect(unauthenticated.json()).resolves.toMatchObject({ code: "unauthenticated" });
    expect(unauthenticated.headers.get("cache-control")).toBe("no-store");
    current = as("custodian", "approver");
    const before = await lastSeq();
    const forbidden = await route(request(), context({ id: "1" }));
    expect(forbidden.status).toBe(403);
    await expect(forbidden.json()).resolves.toMatchObject({ code: "forbidden" });
    expect(handler).not.toHaveBeenCalled();
    expect((await deniedSince(before)).map((e) => e.details)).toEqual([
      { kind: "route", name: "GET /api/audit/[id]", permission: "audit.export", email: "t@example.com" },
    ]);
  });

  it("answers 404 for params and 400 for a query that do not parse", async () => {
    const { route, handler } = exportRoute();
    current = as("auditor");
    expect((await route(request(), context({ id: "../etc" }))).status).toBe(404);
    const invalid = await route(request("http://keyport.test/api/audit/1?format=xml"), context({ id: "1" }));
    expect(invalid.status).toBe(400);
    await expect(invalid.json()).resolves.toMatchObject({
      code: "invalid_input",
      message: expect.stringMatching(/^The request's parameters are not valid\. format: /),
      fieldErrors: { format: [expect.any(String)] },
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it("says what is wrong with a query in sentences, whatever the schema's own messages end with", async () => {
    const route = defineRoute({ name: "stamp", permission: "imports.read", query: z.object({ request: z.uuid("must be an import request id") }) }, vi.fn());
    current = as("auditor");
    const invalid = await route(request("http://keyport.test/api/imports/stamp?request=garbage"), context({}));
    expect(invalid.status).toBe(400);
    await expect(invalid.json()).resolves.toMatchObject({ message: "The request's parameters are not valid. request: must be an import request id." });
  });

  it("runs the handler with parsed params and query", async () => {
    const { route } = exportRoute();
    current = as("auditor");
    const response = await route(request(), context({ id: "42" }));
    expect(response.status).toBe(200);
    await expect(response.json()).resolves.toEqual({ format: "csv", id: "42" });
  });

  it("answers a known error with its status, an unknown one with 500 and a reference only", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    current = as("auditor");
    const known = defineRoute({ permission: "audit.read" }, async () => {
      throw new KeyportError("token_expired", "The import token has expired.", { status: 409 });
    });
    const k = await known(request(), context());
    expect(k.status).toBe(409);
    await expect(k.json()).resolves.toEqual({ code: "token_expired", message: "The import token has expired." });
    const unknown = defineRoute({ permission: "audit.read" }, async () => {
      throw new Error("secret detail");
    });
    const u = await unknown(request(), context());
    expect(u.status).toBe(500);
    const body = await u.json();
    expect(body).toMatchObject({ code: "internal", reference: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain("secret detail");
  });

  it("public routes say why, and never read the session", async () => {
    restore();
    restore = replaceSessionReader(async () => {
      throw new Error("must not be called");
    });
    const route = defineRoute({ public: "liveness probe" }, async () => Response.json({ ok: true }));
    expect(guardOf(route)).toEqual({ kind: "route", name: "route", public: "liveness probe" });
    expect((await route(request(), context())).status).toBe(200);
    expect(() => defineRoute({ public: " " }, async () => new Response())).toThrow(/must say why/);
  });
});

describe("defineRoute refuses state-changing requests from other websites", () => {
  const context = () => ({ params: Promise.resolve({}) });
  const post = (headers: Record<string, string>, method = "POST") =>
    new NextRequest("http://keyport.test/api/demo/clock", { method, headers: { host: "keyport.test", ...headers } });

  function adminRoute() {
    const handler = vi.fn(async () => Response.json({ moved: true }));
    return { route: defineRoute({ name: "setDemoClock", permission: "config.read" }, handler), handler };
  }

  it.each([
    ["a foreign Origin", { origin: "http://evil.example" }],
    ["a foreign Origin on the same host name but another port", { origin: "http://keyport.test:8080" }],
    ["Origin: null (a sandboxed page)", { origin: "null" }],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site (a sibling subdomain)", { "sec-fetch-site": "same-site", origin: "http://keyport.test" }],
  ])("answers 403 with a clear message for %s, even to an admin, without running the handler", async (_what, headers) => {
    const { route, handler } = adminRoute();
    current = as("admin");
    const response = await route(post(headers), context());
    expect(response.status).toBe(403);
    await expect(response.json()).resolves.toEqual({ code: "cross_origin", message: expect.stringMatching(/another website/) });
    expect(handler).not.toHaveBeenCalled();
    expect(events).toEqual([{ kind: "route", name: "setDemoClock", outcome: "cross_origin" }]);
  });

  it("refuses every state-changing method, public routes included", async () => {
    const publicRoute = defineRoute({ public: "test" }, async () => Response.json({ ok: true }));
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect((await publicRoute(post({ origin: "http://evil.example" }, method), context())).status).toBe(403);
    }
  });

  it("lets through its own origin (also behind a proxy), callers that are not browsers, and reads", async () => {
    const { route, handler } = adminRoute();
    current = as("admin");
    expect((await route(post({ origin: "http://keyport.test", "sec-fetch-site": "same-origin" }), context())).status).toBe(200);
    expect((await route(post({ origin: "https://keyport.example", "x-forwarded-host": "keyport.example" }), context())).status).toBe(200);
    expect((await route(post({}), context())).status).toBe(200);
    const read = defineRoute({ permission: "config.read" }, async () => Response.json({ ok: true }));
    expect((await read(post({ origin: "http://evil.example", "sec-fetch-site": "cross-site" }, "GET"), context())).status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(3);
  });
});

describe("a session whose server-side record is not live", () => {
  const context = () => ({ params: Promise.resolve({}) });
  const request = () => new NextRequest("http://keyport.test/api/audit/export");
  const exportRoute = () => {
    const handler = vi.fn(async () => Response.json({ ok: true }));
    return { route: defineRoute({ name: "export", permission: "audit.export" }, handler), handler };
  };

  it("is refused by routes (401) and actions (unauthenticated) once revoked, and the handlers never start", async () => {
    current = as("admin");
    const live = await withLiveRecord(current);
    const { route, handler: routeHandler } = exportRoute();
    const { action, handler: actionHandler } = approveAction();
    expect((await route(request(), context())).status).toBe(200);
    await expect(action({ requestId: ID })).resolves.toMatchObject({ ok: true });

    await revokeSession(database.database.db, live.sessionId!, { how: "signed_out", by: live.user });
    routeHandler.mockClear();
    actionHandler.mockClear();
    const refused = await route(request(), context());
    expect(refused.status).toBe(401);
    await expect(refused.json()).resolves.toMatchObject({ code: "unauthenticated" });
    await expect(action({ requestId: ID })).resolves.toMatchObject({ ok: false, code: "unauthenticated" });
    await expect(requireRole("admin")).rejects.toMatchObject({ code: "unauthenticated", status: 401 });
    expect(routeHandler).not.toHaveBeenCalled();
    expect(actionHandler).not.toHaveBeenCalled();
    // The sign-out is in the audit trail once, however often the revocation is asked for.
    await expect(revokeSession(database.database.db, live.sessionId!, { how: "signed_out", by: live.user })).resolves.toBeNull();
    const signOuts = (await listAuditEvents(database.database.db, { action: "auth.sign_out" }, { limit: 10 })).events;
    expect(signOuts.filter((e) => e.details.session === live.sessionId!.slice(0, 8))).toHaveLength(1);
  });

  it("is refused when it has no record, or another person's, or carries no session id at all", async () => {
    const { route, handler } = exportRoute();
    restore();
    const admin = as("admin");
    const other = await withLiveRecord(as("auditor"));
    for (const session of [
      { ...admin, sessionId: "never-recorded-session-id" },
      { ...admin, sessionId: other.sessionId },
      admin,
    ]) {
      restore = replaceSessionReader(async () => session);
      expect((await route(request(), context())).status).toBe(401);
      restore();
    }
    restore = replaceSessionReader(async () => null);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe("requireRole / requirePermission", () => {
  it("throw typed errors", async () => {
    await expect(requireRole("auditor")).rejects.toMatchObject({ code: "unauthenticated", status: 401 });
    current = as("custodian");
    await expect(requireRole("auditor", "admin")).rejects.toMatchObject({ code: "forbidden", status: 403 });
    await expect(requirePermission("audit.export")).rejects.toBeInstanceOf(ForbiddenError);
    await expect(requireRole("custodian")).resolves.toEqual({ ...current, sessionId: expect.any(String) });
    await expect(requirePermission("imports.request")).resolves.toEqual({ ...current, sessionId: expect.any(String) });
  });
});

describe("formDataToObject", () => {
  it("turns repeated names into arrays and keeps files", () => {
    const form = new FormData();
    form.append("regions", "eu-west-1");
    form.append("regions", "us-east-1");
    const blob = new File([new Uint8Array([1, 2])], "EncryptedKeyMaterial.bin");
    form.append("blob", blob);
    const out = formDataToObject(form);
    expect(out.regions).toEqual(["eu-west-1", "us-east-1"]);
    expect(out.blob).toBeInstanceOf(File);
  });
});
