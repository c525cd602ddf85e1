import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The settings lib/config reads, the README's configuration table and .env.example must name the same
 * variables, so a newcomer who copies .env.example sees every setting and none that does nothing.
 */

const root = path.resolve(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const SETTING = /\b(?:KEYPORT_[A-Z_]+|NEXTAUTH_[A-Z_]+|DATABASE_URL)\b/g;

function readByConfig(): Set<string> {
  return new Set([read("lib/config/load.ts"), read("lib/config/index.ts")].flatMap((text) => text.match(SETTING) ?? []));
}

function readmeTable(): Set<string> {
  const readme = read("README.md");
  const start = readme.indexOf("## Configuration for real AWS");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const rows = section.split("\n").filter((line) => line.startsWith("| `"));
  return new Set(rows.flatMap((row) => row.match(SETTING) ?? []));
}

function envExample(): Set<string> {
  const lines = read(".env.example").split("\n");
  return new Set(lines.map((line) => /^#? ?([A-Z][A-Z0-9_]*)=/.exec(line)?.[1]).filter((name): name is string => !!name));
}

describe(".env.example", () => {
  it("finds settings to compare (the scan itself works)", () => {
    expect(readByConfig().size).toBeGreaterThan(15);
    expect(readmeTable().size).toBeGreaterThan(15);
  });

  it("the README's configuration table lists every setting lib/config reads, and no other", () => {
    expect([...readmeTable()].sort()).toEqual([...readByConfig()].sort());
  });

  it("lists every setting of the README's configuration table", () => {
    const listed = envExample();
    expect([...readmeTable()].filter((name) => !listed.has(name))).toEqual([]);
  });

  it("holds no value that could be a real secret", () => {
    const assignments = read(".env.example").split("\n").filter((line) => /^#? ?[A-Z][A-Z0-9_]*=/.test(line));
    for (const line of assignments) {
      const [name, value] = line.replace(/^# ?/, "").split(/=(.*)/s) as [string, string];
      if (/SECRET|DATA_KEY/.test(name)) expect(value, name).toBe("");
      if (/DATABASE_URL/.test(name)) expect(value, name).toMatch(/:replace-me@/);
    }
  });
});
