import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { NextRequest } from "next/server";
import ts from "typescript";
import type { Role } from "@/lib/config/schema";
import { guardOf, observeGuards, type GuardEvent, type GuardInfo } from "../guard";
import { rolesWithout } from "../permissions";
import { replaceSessionReader } from "../session";
import type { Session } from "../session-token";
import { withLiveRecord } from "./sessions";

/**
 * Finds every way into Keyport's server side — route handlers (`app/**​/route.ts`) and server actions
 * (modules whose first statement is "use server", plus inline "use server" functions, which are not
 * allowed) — imports them, and checks that each is wrapped by lib/auth's guards with a declared permission.
 * Test-only: used by lib/auth/authorization.test.ts, and exercised on fixtures by entry-points.test.ts.
 */

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

const SOURCE = /\.(ts|tsx|mts|js|jsx|mjs)$/;
const SKIP_DIRS = new Set(["node_modules", ".next", ".git", ".data", "public", "e2e", "test-results", "playwright-report", "__fixtures__"]);

export type Discovery = {
  /** Route handler modules, relative to the root, with `/` separators. */
  routes: string[];
  /** Modules whose directive prologue says "use server". */
  actionModules: string[];
  /** "use server" inside a function body: a server action no wrapper can see. */
  inlineActions: { file: string; line: number }[];
};

function walk(dir: string, out: string[]) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) walk(path.join(dir, entry.name), out);
    } else if (SOURCE.test(entry.name) && !/\.(test|spec)\.[mc]?[tj]sx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      out.push(path.join(dir, entry.name));
    }
  }
}

function isUseServer(statement: ts.Node): boolean {
  return ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression) && statement.expression.text === "use server";
}

/** Whether a module starts with "use server", and the lines of any "use server" inside function bodies. */
export function scanSource(text: string, fileName: string): { topLevel: boolean; inlineLines: number[] } {
  const kind = fileName.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const prologue = (statements: ts.NodeArray<ts.Statement>) => {
    const out: ts.Statement[] = [];
    for (const s of statements) {
      if (ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression)) out.push(s);
      else break;
    }
    return out;
  };
  const topLevel = prologue(source.statements).some(isUseServer);
  const inlineLines: number[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body && ts.isBlock(node.body as ts.Node)) {
      for (const s of prologue((node.body as ts.Block).statements)) {
        if (isUseServer(s)) inlineLines.push(source.getLineAndCharacterOfPosition(s.getStart()).line + 1);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { topLevel, inlineLines };
}

export function discoverEntryPoints(root: string): Discovery {
  const files: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isDirectory() && !SKIP_DIRS.has(entry.name) && !entry.name.startsWith(".")) walk(path.join(root, entry.name), files);
  }
  const relative = (f: string) => path.relative(root, f).split(path.sep).join("/");
  const found: Discovery = { routes: [], actionModules: [], inlineActions: [] };
  for (const file of files.sort()) {
    const rel = relative(file);
    if (rel.startsWith("app/") && /(^|\/)route\.(ts|tsx|js|mjs)$/.test(rel)) found.routes.push(rel);
    const text = readFileSync(file, "utf8");
    if (!text.includes("use server")) continue;
    const scan = scanSource(text, file);
    if (scan.topLevel) found.actionModules.push(rel);
    for (const line of scan.inlineLines) found.inlineActions.push({ file: rel, line });
  }
  return found;
}

export type EntryPoint = {
  /** e.g. `GET app/api/audit/export/route.ts` or `approveImport in lib/imports/actions.ts`. */
  label: string;
  file: string;
  exportName: string;
  kind: "action" | "route";
  guard: GuardInfo;
  fn: (...args: unknown[]) => Promise<unknown>;
};

/**
 * Imports what `discoverEntryPoints` found and returns every guarded entry point, plus a problem for each
 * export that is not guarded (or guarded as the wrong kind), each inline server action, and each public
 * route that `publicRoutes` does not list. `exempt` names files that are allowed to be unguarded, with why.
 */
export async function loadEntryPoints(
  root: string,
  found: Discovery,
  options: { exempt?: Record<string, string>; publicRoutes?: Record<string, string> } = {},
): Promise<{ entries: EntryPoint[]; problems: string[] }> {
  const exempt = options.exempt ?? {};
  const publicRoutes = options.publicRoutes ?? {};
  const entries: EntryPoint[] = [];
  const problems: string[] = [];
  const load = (file: string) => import(/* @vite-ignore */ pathToFileURL(path.join(root, file)).href) as Promise<Record<string, unknown>>;

  for (const file of found.routes) {
    if (Object.hasOwn(exempt, file)) continue;
    const mod = await load(file);
    for (const [name, value] of Object.entries(mod)) {
      if (!(HTTP_METHODS as readonly string[]).includes(name)) continue; // route segment config (dynamic, runtime…)
      const guard = guardOf(value);
      const label = `${name} ${file}`;
      if (!guard) problems.push(`${label} is not wrapped by defineRoute (lib/auth), so it declares no permission.`);
      else if (guard.kind !== "route") problems.push(`${label} is wrapped as an ${guard.kind}, not with defineRoute.`);
      else if ("public" in guard && !Object.hasOwn(publicRoutes, file)) problems.push(`${label} is public ("${guard.public}") but not in the list of routes allowed to be public.`);
      else entries.push({ label, file, exportName: name, kind: "route", guard, fn: value as EntryPoint["fn"] });
    }
  }

  for (const file of found.actionModules) {
    if (Object.hasOwn(exempt, file)) continue;
    const mod = await load(file);
    for (const [name, value] of Object.entries(mod)) {
      const guard = guardOf(value);
      const label = `${name} in ${file}`;
      if (!guard) problems.push(`${label} is exported from a "use server" module without defineAction (lib/auth), so it declares no permission.`);
      else if (guard.kind !== "action") problems.push(`${label} is wrapped as a ${guard.kind}, not with defineAction.`);
      else entries.push({ label, file, exportName: name, kind: "action", guard, fn: value as EntryPoint["fn"] });
    }
  }

  for (const { file, line } of found.inlineActions) {
    if (Object.hasOwn(exempt, file)) continue;
    problems.push(`${file}:${line} defines an inline "use server" function; move it to a "use server" module and wrap it with defineAction.`);
  }
  return { entries, problems };
}

export function sessionWithRoles(roles: readonly Role[]): Session {
  return { user: { id: `authz-test-${roles.join("-") || "no-role"}`, name: "Authorization Test", email: "authz@test.invalid", roles: [...roles] } };
}

export type RefusalCase = { entry: EntryPoint; who: string; session: Session | null; expected: "unauthenticated" | "forbidden" };

/** For each protected entry point: no session, a session without any role, and each role lacking its permission. */
export function refusalCases(entries: EntryPoint[]): RefusalCase[] {
  const cases: RefusalCase[] = [];
  for (const entry of entries) {
    if (!("permission" in entry.guard)) continue;
    cases.push({ entry, who: "no session", session: null, expected: "unauthenticated" });
    cases.push({ entry, who: "a person without a role", session: sessionWithRoles([]), expected: "forbidden" });
    for (const role of rolesWithout(entry.guard.permission)) cases.push({ entry, who: role, session: sessionWithRoles([role]), expected: "forbidden" });
  }
  return cases;
}

function routeUrl(file: string): string {
  // app/api/(group)/imports/[id]/route.ts → /api/imports/x
  const segments = file
    .replace(/^app\//, "")
    .replace(/\/?route\.[a-z]+$/, "")
    .split("/")
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .map((s) => (s.startsWith("[") ? "x" : s));
  return `http://keyport.test/${segments.join("/")}`;
}

/**
 * Calls an entry point as `session` with empty input and reports whether it was refused the expected way
 * and whether its handler started (it must not).
 */
export async function attempt(c: RefusalCase): Promise<{ refused: boolean; entered: boolean; got: string }> {
  const events: GuardEvent[] = [];
  const restoreSession = replaceSessionReader(async () => c.session && (await withLiveRecord(c.session)));
  const unobserve = observeGuards((e) => events.push(e));
  try {
    let got: string;
    let refused: boolean;
    if (c.entry.kind === "action") {
      const result = (await c.entry.fn(undefined)) as { ok?: boolean; code?: string } | undefined;
      got = JSON.stringify(result);
      refused = result?.ok === false && result.code === c.expected;
    } else {
      const method = c.entry.exportName;
      const request = new NextRequest(routeUrl(c.entry.file), { method });
      const response = (await c.entry.fn(request, { params: Promise.resolve({}) })) as Response;
      got = `HTTP ${response.status}`;
      refused = response.status === (c.expected === "unauthenticated" ? 401 : 403);
    }
    return { refused, entered: events.some((e) => e.outcome === "entered"), got };
  } finally {
    unobserve();
    restoreSession();
  }
}

