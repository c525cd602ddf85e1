import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { ScheduleDeps } from "@/lib/schedules";
import { SCHEDULE_PAGE_ROWS, SCHEDULE_PREVIEW_ROWS } from "@/lib/schedules/lists";
import { schedulesQuerySchema } from "@/lib/schedules/schemas";
import { seedEstate } from "@/lib/schedules/testing";
import { loadSchedules, type SchedulesData } from "./load";

/**
 * What /schedules renders, bounded: over an estate with every list past a page, the overview holds the first
 * rows of each list and a list alone one page, never more, and no read asks AWS KMS.
 */

const rowsOf = (data: SchedulesData) => [...Object.values(data.dueRows).flat(), ...(data.rotationRows ?? []), ...(data.aheadRows ?? [])];

describe.each(testDrivers())("the schedules page's reads on %s", (driver) => {
  let database: TestDatabase;
  let deps: ScheduleDeps;
  const now = new Date();
  const load = (params: Record<string, string>) => loadSchedules(deps, schedulesQuerySchema.parse(params), 14);

  beforeAll(async () => {
    database = await createTestDatabase(driver);
    const kms = () => {
      throw new Error("The schedules page reads storage only: no AWS KMS call.");
    };
    deps = { db: database.database.db, kms: { kms }, now: () => now };
    await seedEstate(deps.db, now, 400);
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it("shows the first rows of every list on the overview, with the counts of the whole lists", async () => {
    const data = await load({});
    expect(data.due.overdue).toBeGreaterThan(SCHEDULE_PAGE_ROWS * 2);
    for (const rows of Object.values(data.dueRows)) expect(rows.length).toBeLessThanOrEqual(SCHEDULE_PREVIEW_ROWS);
    expect(data.dueRows.overdue).toHaveLength(SCHEDULE_PREVIEW_ROWS);
    expect(data.rotationRows).toHaveLength(SCHEDULE_PREVIEW_ROWS);
    expect(data.aheadRows).toHaveLength(SCHEDULE_PREVIEW_ROWS);
    expect(rowsOf(data).length).toBeLessThanOrEqual(5 * SCHEDULE_PREVIEW_ROWS);
  });

  it("shows one list alone a page at a time, the next page taking up where the last stopped", async () => {
    const first = await load({ list: "overdue" });
    const second = await load({ list: "overdue", page: "2" });
    expect(Object.keys(first.dueRows)).toEqual(["overdue"]);
    expect(first.rotationRows).toBeUndefined();
    expect(first.aheadRows).toBeUndefined();
    expect(first.dueRows.overdue).toHaveLength(SCHEDULE_PAGE_ROWS);
    expect(second.dueRows.overdue).toHaveLength(SCHEDULE_PAGE_ROWS);
    const ids = (data: SchedulesData) => data.dueRows.overdue!.map((row) => row.key.keyId);
    expect(new Set([...ids(first), ...ids(second)]).size).toBe(2 * SCHEDULE_PAGE_ROWS);
    for (const list of ["this_week", "next_week", "rotations", "validto"]) {
      const data = await load({ list });
      expect(rowsOf(data).length).toBeLessThanOrEqual(SCHEDULE_PAGE_ROWS);
    }
  });

  it("lists the rotations in one state when asked, each row in that state", async () => {
    const data = await load({ list: "rotations", status: "due" });
    expect(data.rotationRows!.length).toBe(Math.min(SCHEDULE_PAGE_ROWS, data.rotations.due));
    expect(data.rotationRows!.every((row) => "state" in row.status && row.status.state === "due")).toBe(true);
  });
});
