import { describe, expect, it } from "vitest";
import {
  DAY_MS,
  dueBucket,
  effectivePolicy,
  materialSince,
  reimportDueAt,
  ROTATION_LIMIT,
  rotationStatus,
  rotationStatusText,
  rotationsUsed,
  sameLengthValidTo,
} from "./policy";

const now = new Date("2027-03-10T12:00:00Z");
const at = (days: number, ms = 0) => new Date(now.getTime() + days * DAY_MS + ms);

describe("due bucketing", () => {
  it("puts a date in the past in overdue, by as little as a millisecond", () => {
    expect(dueBucket(at(0, -1), now)).toBe("overdue");
    expect(dueBucket(at(-40), now)).toBe("overdue");
  });

  it("counts now itself and up to just under 7 days as this week", () => {
    expect(dueBucket(now, now)).toBe("this_week");
    expect(dueBucket(at(7, -1), now)).toBe("this_week");
  });

  it("counts exactly 7 days up to just under 14 as next week, and 14 days on as later", () => {
    expect(dueBucket(at(7), now)).toBe("next_week");
    expect(dueBucket(at(14, -1), now)).toBe("next_week");
    expect(dueBucket(at(14), now)).toBe("later");
  });

  it("makes material due N days before its ValidTo", () => {
    expect(reimportDueAt(new Date("2027-04-30T00:00:00Z"), 30).toISOString()).toBe("2027-03-31T00:00:00.000Z");
    expect(dueBucket(reimportDueAt(at(20), 14), now)).toBe("this_week");
    expect(dueBucket(reimportDueAt(at(20), 21), now)).toBe("overdue");
  });
});

describe("the governing policy", () => {
  const target = { reimportDaysBefore: 30, rotateEveryDays: 90 };
  it("is the key's own when it has one, whole: a part the key leaves empty is not taken from the target", () => {
    expect(effectivePolicy({ reimportDaysBefore: 7, rotateEveryDays: null }, target)).toEqual({ reimportDaysBefore: 7, rotateEveryDays: null, source: "key" });
  });
  it("is the target's otherwise, and none without either", () => {
    expect(effectivePolicy(null, target)).toEqual({ ...target, source: "target" });
    expect(effectivePolicy(null, null)).toBeNull();
  });
});

describe("rotation status", () => {
  const since = at(-100);
  it("is due once the material is N days old, and scheduled before", () => {
    expect(rotationStatus(100, { since, used: 2, blockedBy: null }, now)).toMatchObject({ state: "due", dueAt: now, used: 2, left: 8 });
    expect(rotationStatus(101, { since, used: 2, blockedBy: null }, now)).toMatchObject({ state: "scheduled", dueAt: at(1) });
  });

  it("stops at the limit of rotations per key, and says when a schedule will stop", () => {
    expect(rotationStatus(30, { since, used: ROTATION_LIMIT, blockedBy: null }, now)).toEqual({ state: "limit_reached", used: 10, left: 0 });
    const short = rotationStatus(30, { since, used: 7, blockedBy: null }, now);
    expect(short).toMatchObject({ state: "due", left: 3, stopsAfter: 3 });
    expect(rotationStatusText(short)).toMatch(/7 of 10 rotations used, 3 left\. Stops after 3 more rotations/);
    // Ten rotations last the five-year horizon when they are at least half a year apart.
    expect(rotationStatus(183, { since, used: 0, blockedBy: null }, now)).toMatchObject({ stopsAfter: null });
    expect(rotationStatus(182, { since, used: 0, blockedBy: null }, now)).toMatchObject({ stopsAfter: 10 });
  });

  it("is blocked with the reason given, or when the material's age is unknown", () => {
    expect(rotationStatus(30, { since, used: 1, blockedBy: "multi-Region" }, now)).toEqual({ state: "blocked", reason: "multi-Region", used: 1, left: 9 });
    expect(rotationStatus(30, { since: null, used: 0, blockedBy: null }, now)).toMatchObject({ state: "blocked", reason: /imported outside Keyport/ });
  });

  it("counts rotations and the material's age from ListKeyRotations and the trail", () => {
    const entries = [{ rotationDate: null }, { rotationDate: at(-50) }, { rotationDate: at(-20) }];
    expect(rotationsUsed(entries)).toBe(2);
    expect(materialSince(entries, at(-60))).toEqual(at(-20));
    expect(materialSince([{ rotationDate: null }], at(-60))).toEqual(at(-60));
    expect(materialSince([{ rotationDate: null }], null)).toBeNull();
  });
});

describe("a reimport's ValidTo", () => {
  it("is as far ahead as the last one was when it was imported", () => {
    const previous = { requestedAt: at(-80), validTo: at(10) };
    expect(sameLengthValidTo(previous, now)).toEqual(at(90));
  });
  it("stays within KMS's 365 days", () => {
    expect(sameLengthValidTo({ requestedAt: at(-400), validTo: at(0) }, now).getTime()).toBe(at(365).getTime() - 60_000);
  });
});
