import { afterEach, describe, expect, it, vi } from "vitest";
import { describeForLog, logInternalError, newReference } from "./internal";

describe("what Keyport logs of its own failures", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("keeps the class, the code and the stack frames, following the cause, but never a message", () => {
    const cause = Object.assign(new Error('new row violates check constraint "x": Failing row contains (alice@example.com)'), { code: "23514" });
    const error = new Error("Failed query: insert into audit_events ... params: alice@example.com,token", { cause });
    const logged = describeForLog(error);
    expect(logged).toMatch(/^Error\n\s+at /);
    expect(logged).toContain("caused by Error (code 23514)");
    expect(logged).not.toMatch(/alice|token|Failed query|Failing row/);
    expect(describeForLog("a string with a secret")).toBe("a thrown string");
  });

  it("logs under a fresh reference and returns it", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const reference = logInternalError("imports", "while testing", new TypeError("Cannot read properties of undefined"));
    expect(reference).toMatch(/^[0-9a-f]{12}$/);
    expect(reference).not.toBe(newReference());
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]![0])).toMatch(new RegExp(`^\\[imports\\] internal error \\(ref ${reference}\\) while testing: TypeError\\n`));
  });
});
