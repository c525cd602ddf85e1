import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "@/lib/db";
import { settings } from "@/lib/db/schema";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { adminClient, startEmulator } from "@/lib/emulator";
import {
  DEMO_CLOCK_KEY,
  DEMO_CLOCK_POLL_MS,
  followDemoClock,
  loadDemoClockOffset,
  moveEmulatorClock,
  readDemoClockOffset,
  saveDemoClockOffset,
  stopFollowingDemoClock,
} from "./demo";
import { clockOffset, nowMs, setClockOffset } from "./index";

const HOUR = 3600_000;

describe.each(testDrivers())("the demo clock's offset on %s", (driver) => {
  let t: TestDatabase;
  /** A second app instance: its own connection pool on the same database (PGlite is one instance: the same). */
  let other: Database;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    other = t.url ? await createDatabase({ url: t.url, maxConnections: 1 }) : t.database;
  });
  afterAll(async () => {
    if (other !== t?.database) await other?.close();
    await t?.cleanup();
  });
  afterEach(() => {
    stopFollowingDemoClock();
    setClockOffset(0);
  });

  it("is stored for every instance, and an instance (re)starting loads it", async () => {
    expect(await readDemoClockOffset(t.database.db)).toBe(0);
    await saveDemoClockOffset(t.database.db, 26 * HOUR, "demo-morgan");
    expect(clockOffset()).toBe(26 * HOUR);
    setClockOffset(0); // the other instance, or this one after a restart
    expect(await loadDemoClockOffset(other.db)).toBe(26 * HOUR);
    expect(clockOffset()).toBe(26 * HOUR);
    await saveDemoClockOffset(t.database.db, 0, "demo-morgan");
    expect(await readDemoClockOffset(other.db)).toBe(0);
  });

  it("refuses an offset beyond 30 days, and ignores a stored value that is not an offset", async () => {
    await expect(saveDemoClockOffset(t.database.db, 31 * 24 * HOUR, "demo-morgan")).rejects.toThrow(RangeError);
    await t.database.db
      .insert(settings)
      .values({ key: DEMO_CLOCK_KEY, value: "tomorrow", updatedAt: new Date() })
      .onConflictDoUpdate({ target: settings.key, set: { value: "tomorrow" } });
    expect(await readDemoClockOffset(t.database.db)).toBe(0);
  });

  it("follows a move made by another instance within the poll interval", async () => {
    await saveDemoClockOffset(t.database.db, HOUR, "demo-morgan");
    await followDemoClock(t.database.db);
    expect(clockOffset()).toBe(HOUR);
    // Another instance moves the clock: only the database changes here.
    await other.db.update(settings).set({ value: 2 * HOUR });
    await expect.poll(() => clockOffset(), { timeout: DEMO_CLOCK_POLL_MS * 3, interval: 200 }).toBe(2 * HOUR);
  });
});

describe("moving the KMS emulator's clock with Keyport's", () => {
  it("sets the emulator's clock to Keyport's time through its admin API", async () => {
    const emulator = await startEmulator({ seed: "none", admin: true });
    try {
      setClockOffset(25 * HOUR);
      expect(await moveEmulatorClock(emulator.endpoint)).toEqual({ moved: true });
      const status = await adminClient(emulator.endpoint).status();
      expect(Math.abs(Date.parse(status.now) - nowMs())).toBeLessThan(5_000);
      expect(Math.abs(status.clockOffsetMs - 25 * HOUR)).toBeLessThan(5_000);
    } finally {
      setClockOffset(0);
      await emulator.close();
    }
  });

  it("says why when it cannot", async () => {
    expect(await moveEmulatorClock(undefined)).toEqual({ moved: false, reason: expect.stringMatching(/KEYPORT_AWS_ENDPOINT/) });
    const emulator = await startEmulator({ seed: "none" });
    try {
      expect(await moveEmulatorClock(emulator.endpoint)).toEqual({ moved: false, reason: expect.stringMatching(/--admin/) });
    } finally {
      await emulator.close();
    }
    expect(await moveEmulatorClock("http://127.0.0.1:9")).toEqual({ moved: false, reason: expect.stringMatching(/could not be reached/) });
  });
});
