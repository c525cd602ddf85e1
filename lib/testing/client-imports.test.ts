import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * What the browser is sent starts at the "use client" modules and follows their imports. A client form that
 * takes one constant from a server-side schema module ships the validation library behind it (zod alone is
 * about 30 KiB gzipped on every page), so the client graph is walked here and server-only packages in it fail.
 * Type-only imports are erased by the compiler and do not count, nor do "use server" modules: the browser gets
 * a reference to call each of their actions, not their code.
 */

const root = path.resolve(__dirname, "../..");
const SERVER_PACKAGES = /^(zod|drizzle-orm|pg|@electric-sql\/pglite|@aws-sdk\/|@smithy\/|csv-stringify|csv-parse|server-only|node:)/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Value imports and re-exports of a module (`import type` and `export type` left out). */
export function valueImports(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/gm)) {
    if (!match[1]) specifiers.push(match[2]!);
  }
  return specifiers;
}

function resolveLocal(from: string, specifier: string): string | undefined {
  const base = specifier.startsWith("@/") ? path.join(root, specifier.slice(2)) : path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, `${base}.tsx`, path.join(base, "index.ts"), path.join(base, "index.tsx")].find((candidate) => existsSync(candidate));
}

/** Every server package reachable from `entry`, with the chain of modules that reaches it. */
function serverPackagesReached(entry: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of valueImports(readFileSync(file, "utf8"))) {
      if (specifier.startsWith("@/") || specifier.startsWith(".")) {
        const next = resolveLocal(file, specifier);
        if (next && !/^\s*["']use server["']/.test(readFileSync(next, "utf8"))) visit(next, [...chain, path.relative(root, next)]);
      } else if (SERVER_PACKAGES.test(specifier)) {
        found.push(`${[...chain].join(" → ")} → ${specifier}`);
      }
    }
  };
  visit(entry, [path.relative(root, entry)]);
  return found;
}

const clientModules = ["app", "components"].flatMap((dir) => sourceFiles(path.join(root, dir))).filter((file) => /^\s*["']use client["']/.test(readFileSync(file, "utf8")));

describe("what client components pull into the browser", () => {
  it("finds the client components", () => {
    expect(clientModules.length).toBeGreaterThan(20);
  });

  it("reads value imports and skips type-only ones", () => {
    const source = 'import { a } from "zod";\nimport type { B } from "pg";\nexport { c } from "./c";\nexport type { D } from "./d";\nimport "server-only";';
    expect(valueImports(source)).toEqual(["zod", "./c", "server-only"]);
  });

  it.each(clientModules.map((file) => [path.relative(root, file), file]))("%s reaches no server-side package", (_name, file) => {
    expect(serverPackagesReached(file)).toEqual([]);
  });
});
