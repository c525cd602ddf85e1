import { describe, expect, it } from "vitest";
import { formatClockOffset } from "./clock-offset";

describe("formatClockOffset", () => {
  it("names the two largest units, with a sign", () => {
    expect(formatClockOffset(26 * 3600_000)).toBe("+1 d 2 h");
    expect(formatClockOffset(90 * 60_000)).toBe("+1 h 30 min");
    expect(formatClockOffset(-45_000)).toBe("\u221245 s");
    expect(formatClockOffset(7 * 24 * 3600_000)).toBe("+7 d");
    expect(formatClockOffset(24 * 3600_000 + 5 * 60_000)).toBe("+1 d");
    expect(formatClockOffset(400)).toBe("±0");
  });
});
