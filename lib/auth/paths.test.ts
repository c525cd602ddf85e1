import { describe, expect, it } from "vitest";
import { pathNeedsSession, safeCallbackPath, signInPath } from "./paths";

describe("safeCallbackPath", () => {
  it.each([
    ["/keys", "/keys"],
    ["/imports/abc?tab=history#x", "/imports/abc?tab=history#x"],
  ])("keeps the same-origin path %s", (raw, expected) => {
    expect(safeCallbackPath(raw)).toBe(expected);
  });

  it.each([
    "https://evil.example/keys",
    "//evil.example/keys",
    "/\\evil.example",
    "\\\\evil.example",
    "/\tjavascript:alert(1)",
    "javascript:alert(1)",
    "keys",
    "/signin?callbackUrl=/signin",
    "/no-access",
    "/api/auth/signout",
    "",
    undefined,
    ["/keys"],
    `/${"a".repeat(3000)}`,
  ])("refuses %j", (raw) => {
    expect(safeCallbackPath(raw)).toBe("/keys");
  });

  it("accepts an absolute URL only on Keyport's own origin", () => {
    expect(safeCallbackPath("http://127.0.0.1:3101/audit", "/keys", "http://127.0.0.1:3101")).toBe("/audit");
    expect(safeCallbackPath("http://127.0.0.1:3101.evil.example/audit", "/keys", "http://127.0.0.1:3101")).toBe("/keys");
    expect(safeCallbackPath("http://other.example/audit", "/keys", "http://127.0.0.1:3101")).toBe("/keys");
  });
});

describe("signInPath", () => {
  it("carries the way back and the reason", () => {
    expect(signInPath("/imports?state=pending", "expired")).toBe("/signin?callbackUrl=%2Fimports%3Fstate%3Dpending&reason=expired");
    expect(signInPath("/audit")).toBe("/signin?callbackUrl=%2Faudit");
  });

  it("leaves out a callback to the default destination, or one that is not safe", () => {
    expect(signInPath("/")).toBe("/signin");
    expect(signInPath("/keys")).toBe("/signin");
    expect(signInPath("https://evil.example/")).toBe("/signin");
    expect(signInPath(null, "expired")).toBe("/signin?reason=expired");
  });
});

describe("pathNeedsSession", () => {
  it.each([
    ["/", true],
    ["/keys", true],
    ["/no-access", true],
    ["/anything-else", true],
    ["/signin", false],
    ["/api/auth/session", false],
    ["/api/health", false],
    ["/_next/static/chunk.js", false],
  ])("%s → %s", (path, expected) => {
    expect(pathNeedsSession(path)).toBe(expected);
  });
});
