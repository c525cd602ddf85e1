import { describe, expect, it } from "vitest";
import { formatCount, formatDate, formatDateTime, formatDuration, formatRelative } from "./format";

const now = Date.parse("2026-11-28T12:00:00Z");

describe("format", () => {
  it.each([
    ["2026-12-01T12:00:00Z", "in 3 days"],
    ["2026-11-28T10:00:00Z", "2 hours ago"],
    ["2026-11-28T12:00:30Z", "in 30 seconds"],
    ["2027-11-28T12:00:00Z", "next year"],
    ["2026-11-21T12:00:00Z", "last week"],
  ])("says %s is %s", (value, expected) => {
    expect(formatRelative(value, now)).toBe(expected);
  });

  it("shows absolute times in UTC, naming the zone", () => {
    expect(formatDateTime("2026-11-28T09:05:00Z")).toBe("28 Nov 2026, 09:05 UTC");
    expect(formatDate("2026-11-28T23:59:00Z")).toBe("28 Nov 2026");
  });

  it.each([
    [8 * 3600, "8 hours"],
    [3600, "1 hour"],
    [90 * 60, "90 minutes"],
    [15 * 60, "15 minutes"],
  ])("says a session of %i seconds lasts %s", (seconds, expected) => {
    expect(formatDuration(seconds)).toBe(expected);
  });

  it.each([
    [0, "key", undefined, "0 keys"],
    [1, "key", undefined, "1 key"],
    [18, "key", undefined, "18 keys"],
    [1204, "event", undefined, "1,204 events"],
    [1, "account Region", undefined, "1 account Region"],
    [1, "person", "people", "1 person"],
    [3, "person", "people", "3 people"],
  ])("counts %i %s", (count, one, other, expected) => {
    expect(formatCount(count, one, other)).toBe(expected);
  });
});
