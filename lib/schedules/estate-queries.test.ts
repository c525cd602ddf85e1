import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { Db } from "@/lib/db";
import { keyRefId } from "@/lib/inventory/material-summary";
import { reimportsDue } from "./estate";
import { dueCounts, keysAhead, rotationCounts, rotationRows, timelineCells } from "./estate-queries";
import { DUE_LISTS, ROTATION_STATES, SCHEDULE_PAGE_ROWS, type RotationState } from "./lists";
import { DAY_MS } from "./policy";
import { scheduledRotationChunks, scheduledRotations, storedRotations } from "./rotations";
import { seedEstate, type SeededKey } from "./testing";

/**
 * The schedules page's counts and pages against the real database on both drivers, over an estate seeded
 * past a page in every list: counts match what the pure rules say key by key, every page holds at most a
 * page of rows, the pages together are the whole list, and the rotation pass's chunks reach every candidate.
 */

const KEYS = 260;
const PAGE = { limit: SCHEDULE_PAGE_ROWS, offset: 0 };

async function allPages<T>(read: (paging: { limit: number; offset: number }) => Promise<T[]>, total: number): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; offset < total + SCHEDULE_PAGE_ROWS; offset += SCHEDULE_PAGE_ROWS) {
    const page = await read({ limit: SCHEDULE_PAGE_ROWS, offset });
    expect(page.length).toBeLessThanOrEqual(SCHEDULE_PAGE_ROWS);
    out.push(...page);
    if (page.length < SCHEDULE_PAGE_ROWS) break;
  }
  return out;
}

describe.each(testDrivers())("schedule counts and pages on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  let seeded: SeededKey[];
  const now = new Date();
  const deps = () => ({ db, now: () => now });

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.database.db;
    seeded = await seedEstate(db, now, KEYS);
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it("counts reimports due by list as the policies say, and pages each list 50 at a time, earliest due first", async () => {
    const counts = await dueCounts(db, now);
    for (const list of DUE_LISTS) {
      const expected = seeded.filter((key) => key.dueBucket === list).map(keyRefId).sort();
      expect(counts[list]).toBe(expected.length);
      const rows = await allPages((paging) => reimportsDue(db, list, now, {}, paging), counts[list]);
      expect(rows.map((row) => keyRefId(row.key)).sort()).toEqual(expected);
      const due = rows.map((row) => row.dueAt.getTime());
      expect(due).toEqual([...due].sort((a, b) => a - b));
      for (const row of rows) expect(row.dueAt.getTime()).toBe(row.validTo.getTime() - row.policy.reimportDaysBefore! * DAY_MS);
    }
    expect(counts.overdue).toBeGreaterThan(SCHEDULE_PAGE_ROWS); // the estate runs past a page
    // A key's own policy replaces its account's whole: 3 days, not 20.
    const own = (await reimportsDue(db, "this_week", now, {}, { limit: 500, offset: 0 })).filter((row) => row.policy.source === "key");
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((row) => row.policy.reimportDaysBefore === 3)).toBe(true);
    expect(await dueCounts(db, now, { target: "elsewhere" })).toEqual({ overdue: 0, this_week: 0, next_week: 0 });
  });

  it("counts scheduled rotations by state exactly as each key's stored status reads, and pages them", async () => {
    const counts = await rotationCounts(db, now);
    const candidates = seeded.filter((key) => key.rotates).map(keyRefId).sort();
    expect(Object.values(counts).reduce((n, v) => n + v, 0)).toBe(candidates.length);
    // The same keys read through storedRotations, key by key: the SQL's state is its state.
    const byState: Record<RotationState, number> = { due: 0, scheduled: 0, limit_reached: 0, blocked: 0, unread: 0 };
    for (const state of ROTATION_STATES) {
      const rows = await allPages((paging) => rotationRows(db, now, { state }, paging), counts[state]);
      expect(rows).toHaveLength(counts[state]);
      const stored = await storedRotations(deps(), rows);
      for (const rotation of stored) byState[rotation ? rotation.status.state : "unread"]++;
      expect(stored.map((rotation) => (rotation ? rotation.status.state : "unread"))).toEqual(rows.map(() => state));
    }
    expect(byState).toEqual(counts);
    for (const state of ROTATION_STATES) expect(counts[state]).toBeGreaterThan(0);
    const page = await scheduledRotations(deps(), {}, PAGE);
    expect(page).toHaveLength(SCHEDULE_PAGE_ROWS);
  });

  it("walks every rotation candidate in chunks, with no cap on how many", async () => {
    const seen: string[] = [];
    for await (const chunk of scheduledRotationChunks(deps(), 7)) {
      expect(chunk.length).toBeLessThanOrEqual(7);
      seen.push(...chunk.map((c) => keyRefId(c.key)));
    }
    expect(seen).toHaveLength(new Set(seen).size);
    expect(seen.sort()).toEqual(seeded.filter((key) => key.rotates).map(keyRefId).sort());
  });

  it("counts every ValidTo ahead by account, Region and week, and pages the keys soonest first", async () => {
    const end = new Date(now.getTime() + 90 * DAY_MS);
    const expected = seeded.filter((key) => key.external && key.expires && key.validTo >= now && key.validTo < end);
    const cells = await timelineCells(db, now, { days: 90, warningDays: 14 });
    expect(cells.reduce((n, c) => n + c.keys, 0)).toBe(expected.length);
    for (const cell of cells) {
      const inCell = expected.filter(
        (key) => key.region === cell.region && Math.floor((key.validTo.getTime() - now.getTime()) / (7 * DAY_MS)) === cell.week && (key.validTo.getTime() <= now.getTime() + 14 * DAY_MS) === cell.inWarning,
      );
      expect(cell.keys).toBe(inCell.length);
    }
    expect(await keysAhead(db, now, end, {}, PAGE)).toHaveLength(SCHEDULE_PAGE_ROWS);
    const all = await allPages((paging) => keysAhead(db, now, end, {}, paging), expected.length);
    expect(all.map(keyRefId).sort()).toEqual(expected.map(keyRefId).sort());
  });
});
