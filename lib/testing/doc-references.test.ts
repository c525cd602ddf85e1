import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Comments and docs may only send the reader to documents the repository has: a pointer to a design note,
 * a numbered pitfall or an issue that lives elsewhere is a dead end for the next engineer.
 */

const root = path.resolve(__dirname, "../..");
const SKIP = new Set(["node_modules", ".next", ".data", ".git", "test-results", "playwright-report", "blob-report"]);
const TEXT = /\.(?:ts|tsx|js|mjs|mts|cjs|md|json|css)$|^\.env\.example$/;

function files(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP.has(entry.name) ? [] : files(full);
    return TEXT.test(entry.name) && entry.name !== "package-lock.json" ? [full] : [];
  });
}

const all = files();
const markdown = new Set(all.filter((f) => f.endsWith(".md")).map((f) => path.basename(f)));

describe("references in code and docs", () => {
  it("scans the repository's sources and docs", () => {
    expect(all.length).toBeGreaterThan(100);
    expect(markdown).toContain("README.md");
  });

  it("name only Markdown documents the repository has", () => {
    const dangling = all.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/\b([\w-]+\.md)\b/g)]
        .filter((m) => !markdown.has(m[1]!))
        .map((m) => `${path.relative(root, file)}: ${m[1]}`),
    );
    expect(dangling).toEqual([]);
  });

  it("do not point at numbered pitfalls or issues kept elsewhere", () => {
    const pointers = all.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/\b(?:pitfall|issue) #?\d+\b/gi)].map((m) => `${path.relative(root, file)}: ${m[0]}`),
    );
    expect(pointers).toEqual([]);
  });
});
