import { afterEach, describe, expect, it } from "vitest";
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

  it("refuses an invalid fixed start", () => {
    expect(() => fixedClock("not a date")).toThrow(RangeError);
  });
});
