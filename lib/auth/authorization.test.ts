import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditHead, listAuditEvents } from "@/lib/audit";
import { useAsProcessDatabase } from "@/lib/db";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { attempt, discoverEntryPoints, loadEntryPoints, refusalCases } from "./testing/entry-points";

/**
 * Every server action and route handler in Keyport, found by scanning the tree (not by a list someone has
 * to keep up to date), must be wrapped by lib/auth's guards with a declared permission — and must refuse a
 * caller without a session, without a role, and with every role the permission table does not give it,
 * without its handler starting. Adding an unwrapped action or route fails this test.
 */

const root = path.resolve(import.meta.dirname, "../..");

/** Files allowed to be unguarded, and why. Keep this short. */
const EXEMPT: Record<string, string> = {
  "app/api/health/route.ts": "the liveness probe for load balancers: answers {ok:true} or {ok:false} and shows details only to a signed-in admin",
};

/** Routes allowed to declare themselves public (defineRoute({ public })), and why. */
const PUBLIC_ROUTES: Record<string, string> = {
  "app/api/auth/[...nextauth]/route.ts": "next-auth's endpoints are how a session is obtained (sign-in, callback, CSRF, sign-out)",
  "app/api/auth/end-session/route.ts": "the first step of sign-out: it reads only the caller's own session and says where their identity provider ends it",
};

const found = discoverEntryPoints(root);
const { entries, problems } = await loadEntryPoints(root, found, { exempt: EXEMPT, publicRoutes: PUBLIC_ROUTES });
const cases = refusalCases(entries);

// Refusals of signed-in people go to the audit trail; a real database stands in as the process's.
let database: TestDatabase;
let restoreDatabase: () => void;
beforeAll(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => undefined); // the guards log refusals
  database = await createTestDatabase("pglite");
  restoreDatabase = useAsProcessDatabase(database.database);
});
afterAll(async () => {
  vi.restoreAllMocks();
  restoreDatabase?.();
  await database?.cleanup();
});

describe("every server action and route handler", () => {
  it("was found (the scan sees the app's routes)", () => {
    expect(found.routes).toEqual(expect.arrayContaining(Object.keys({ ...EXEMPT, ...PUBLIC_ROUTES })));
    console.info(
      `[authorization] ${found.routes.length} route modules, ${found.actionModules.length} action modules, ` +
        `${entries.length} guarded entry points, ${cases.length} refusal cases`,
    );
  });

  it("is wrapped by defineAction/defineRoute with a declared permission (or is listed as exempt or public)", () => {
    expect(problems).toEqual([]);
  });

  it("has no stale exemptions", () => {
    for (const file of [...Object.keys(EXEMPT), ...Object.keys(PUBLIC_ROUTES)]) expect(found.routes.concat(found.actionModules)).toContain(file);
  });
});

// Not skipped when the scan finds nothing: an empty scan is a broken scan, and must fail rather than pass.
describe("refuses callers who may not use it, and its handler never starts", () => {
  it("has guarded entry points and refusals to try", () => {
    expect(found.routes.length, "route modules found").toBeGreaterThan(0);
    expect(found.actionModules.length, "server action modules found").toBeGreaterThan(0);
    expect(entries.length, "guarded entry points loaded").toBeGreaterThan(0);
    expect(cases.length, "refusal cases").toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.entry.label, c.who, c] as const))("%s as %s", async (_label, _who, c) => {
    const before = (await auditHead(database.database.db)).lastSeq;
    const outcome = await attempt(c);
    expect(outcome.entered, "the handler started").toBe(false);
    expect(outcome.refused, `expected ${c.expected}, got ${outcome.got}`).toBe(true);
    // A signed-in person's refusal is in the audit trail, once; an anonymous caller's is not.
    const denied = (await listAuditEvents(database.database.db, { action: "auth.access_denied" }, { limit: 5 })).events.filter((e) => e.seq > before);
    expect(denied.map((e) => e.actor.subject)).toEqual(c.session ? [c.session.user.id] : []);
  });
});
