import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { useAsProcessDatabase } from "@/lib/db";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { attempt, discoverEntryPoints, loadEntryPoints, refusalCases, scanSource } from "./entry-points";

// The discovery behind lib/auth/authorization.test.ts, run on a miniature app with every mistake it must catch.
const root = path.resolve(import.meta.dirname, "../__fixtures__/entry-points");

// Signed-in cases need their session's record (and refusals go to the audit trail): a real database.
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

beforeEach(() => {
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("scanSource", () => {
  it("sees a top-level directive after comments, and only as the first statements", () => {
    expect(scanSource(`// why\n/* more */\n"use server";\nexport const a = 1;`, "a.ts").topLevel).toBe(true);
    expect(scanSource(`'use strict';\n'use server';`, "a.ts").topLevel).toBe(true);
    expect(scanSource(`import x from "y";\n"use server";`, "a.ts").topLevel).toBe(false);
    expect(scanSource(`const s = "use server";`, "a.ts").topLevel).toBe(false);
  });

  it("finds inline server actions in functions, arrows and methods", () => {
    const text = `export function P() {\n  async function a() {\n    "use server";\n  }\n  const b = async () => {\n    "use server";\n  };\n  return { a, b, async c() { "use server"; } };\n}`;
    expect(scanSource(text, "p.tsx").inlineLines).toEqual([3, 6, 8]);
  });
});

describe("discoverEntryPoints", () => {
  it("finds route handlers, server action modules and inline server actions — and nothing else", () => {
    expect(discoverEntryPoints(root)).toEqual({
      routes: ["app/api/(public)/ping/route.ts", "app/api/guarded/[id]/route.ts", "app/api/unguarded/route.ts"],
      actionModules: ["lib/actions/bare-actions.ts", "lib/actions/forged-actions.ts", "lib/actions/guarded-actions.ts"],
      inlineActions: [{ file: "app/reports/page.ts", line: 4 }],
    });
  });

  it("skips __fixtures__ folders when scanning a real tree", () => {
    const found = discoverEntryPoints(path.resolve(root, "../../.."));
    expect([...found.routes, ...found.actionModules].filter((f) => f.includes("__fixtures__"))).toEqual([]);
    expect(found.inlineActions).toEqual([]);
  });
});

describe("loadEntryPoints", () => {
  it("fails on an unwrapped route, a bare action, an inline action and an unlisted public route", async () => {
    const { entries, problems } = await loadEntryPoints(root, discoverEntryPoints(root));
    expect(problems).toEqual([
      'GET app/api/(public)/ping/route.ts is public ("it is only a ping") but not in the list of routes allowed to be public.',
      "GET app/api/unguarded/route.ts is not wrapped by defineRoute (lib/auth), so it declares no permission.",
      'deleteKeyMaterial in lib/actions/bare-actions.ts is exported from a "use server" module without defineAction (lib/auth), so it declares no permission.',
      'app/reports/page.ts:4 defines an inline "use server" function; move it to a "use server" module and wrap it with defineAction.',
    ]);
    expect(entries.map((e) => e.label)).toEqual([
      "GET app/api/guarded/[id]/route.ts",
      "DELETE app/api/guarded/[id]/route.ts",
      "forgedExport in lib/actions/forged-actions.ts",
      "verifyAuditChain in lib/actions/guarded-actions.ts",
      "approveImport in lib/actions/guarded-actions.ts",
    ]);
  });

  it("accepts listed public routes and exempt files", async () => {
    const { problems } = await loadEntryPoints(root, discoverEntryPoints(root), {
      publicRoutes: { "app/api/(public)/ping/route.ts": "health" },
      exempt: { "app/api/unguarded/route.ts": "x", "lib/actions/bare-actions.ts": "x", "app/reports/page.ts": "x" },
    });
    expect(problems).toEqual([]);
  });
});

describe("refusal cases", () => {
  it("try no session, no role and every role lacking the permission; real guards refuse without running", async () => {
    const { entries } = await loadEntryPoints(root, discoverEntryPoints(root));
    const guarded = entries.filter((e) => !e.label.startsWith("forgedExport"));
    const cases = refusalCases(guarded);
    expect(cases.filter((c) => c.entry.label === "approveImport in lib/actions/guarded-actions.ts").map((c) => c.who)).toEqual([
      "no session",
      "a person without a role",
      "custodian",
      "auditor",
    ]);
    for (const c of cases) {
      const outcome = await attempt(c);
      expect(outcome, `${c.entry.label} as ${c.who}`).toMatchObject({ refused: true, entered: false });
    }
  });

  it("catch an entry point that declares a permission but does not enforce it", async () => {
    const { entries } = await loadEntryPoints(root, discoverEntryPoints(root));
    const forged = refusalCases(entries.filter((e) => e.label.startsWith("forgedExport")));
    expect(forged.length).toBeGreaterThan(0);
    for (const c of forged) expect((await attempt(c)).refused, c.who).toBe(false);
  });
});
