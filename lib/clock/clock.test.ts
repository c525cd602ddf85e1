import { afterEach, describe, expect, it, vi } from "vitest";
import { clockOffset, fixedClock, now, nowMs, setClockOffset } from "./index";

describe("clock", () => {
  afterEach(() => setClockOffset(0));

  it("follows the system clock by default", () => {
    const before = Date.now();
    const t = nowMs();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });

  it("applies an offset and rejects a non-finite one", () => {
    setClockOffset(60_000);
    expect(clockOffset()).toBe(60_000);
    expect(nowMs() - Date.now()).toBeGreaterThanOrEqual(59_000);
    expect(() => setClockOffset(Number.NaN)).toThrow(RangeError);
  });

  it("can be frozen, advanced and restored", () => {
    const clock = fixedClock("2026-01-01T00:00:00Z");
    expect(now().toISOString()).toBe("2026-01-01T00:00:00.000Z");
    clock.advance(1500);
    expect(now().toISOString()).toBe("2026-01-01T00:00:01.500Z");
    clock.restore();
    expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1000);
  });

  // Next.js compiles lib/clock into each server bundle (pages, actions, route handlers, the proxy): every
  // copy of the module must read the same offset, or a moved demo clock moves only one layer.
  it("is one clock however many copies of the module are loaded", async () => {
    setClockOffset(3_600_000);
    vi.resetModules();
    const copy = await import("./index");
    expect(copy.clockOffset()).toBe(3_600_000);
    copy.setClockOffset(-5_000);
    expect(clockOffset()).toBe(-5_000);
    const frozen = fixedClock("2026-01-01T00:00:00Z");
    expect(copy.now().toISOString()).toBe("2026-01-01T00:00:00.000Z");
    frozen.restore();
  });

  it("refuses an invalid fixed start", () => {
    expect(() => fixedClock("not a date")).toThrow(RangeError);
  });
});
