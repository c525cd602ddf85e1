import "server-only";
import { describeForLog } from "@/lib/errors/internal";
import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { settings } from "@/lib/db/schema";
import { clockOffset, nowMs, setClockOffset } from "./index";

/**
 * The demo clock's offset where every app instance sees it: in the database (`settings` row
 * `demo_clock_offset_ms`), loaded at start-up and followed by a short poll, and in each process on
 * lib/clock's global slot. Demo mode only — production never reads the row, so its clock is the real one.
 *
 * Why a poll: the instance that moves the clock applies the offset at once; the others pick it up within
 * `DEMO_CLOCK_POLL_MS`, with one primary-key read each time. LISTEN/NOTIFY would need a dedicated
 * PostgreSQL connection per instance (and PGlite is one instance anyway) for a demo-only feature.
 */

export const DEMO_CLOCK_KEY = "demo_clock_offset_ms";
export const MAX_DEMO_OFFSET_MS = 30 * 24 * 3600_000;
export const DEMO_CLOCK_POLL_MS = 2_000;

type FollowState = { timer?: NodeJS.Timeout; generation: number };
const SLOT = Symbol.for("keyport.demoClock");
function followState(): FollowState {
  const global = globalThis as typeof globalThis & { [SLOT]?: FollowState };
  return (global[SLOT] ??= { generation: 0 });
}

function validOffset(value: unknown): number {
  return typeof value === "number" && Number.isInteger(value) && Math.abs(value) <= MAX_DEMO_OFFSET_MS ? value : 0;
}

/** The stored offset (0 when none, or when what is stored is not a valid offset). */
export async function readDemoClockOffset(db: Db): Promise<number> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, DEMO_CLOCK_KEY));
  return validOffset(row?.value);
}

/** Makes the stored offset this process's clock offset. */
export async function loadDemoClockOffset(db: Db): Promise<number> {
  const generation = followState().generation;
  const offset = await readDemoClockOffset(db);
  // A save in this process while the read was in flight wins over what the read saw.
  if (followState().generation === generation) setClockOffset(offset);
  return clockOffset();
}

/** Stores `offsetMs` for every instance and applies it in this one at once. */
export async function saveDemoClockOffset(db: Db, offsetMs: number, by: string): Promise<void> {
  if (!Number.isInteger(offsetMs) || Math.abs(offsetMs) > MAX_DEMO_OFFSET_MS) {
    throw new RangeError(`The demo clock may be moved at most ${MAX_DEMO_OFFSET_MS} ms from the real time.`);
  }
  // Real time, deliberately not lib/clock: when the offset was changed, not what the demo clock said.
  const values = { key: DEMO_CLOCK_KEY, value: offsetMs, updatedAt: new Date(), updatedBy: by };
  await db.insert(settings).values(values).onConflictDoUpdate({ target: settings.key, set: { value: offsetMs, updatedAt: values.updatedAt, updatedBy: by } });
  followState().generation += 1;
  setClockOffset(offsetMs);
}

/** Loads the stored offset, then keeps this process's copy fresh (once per process; call at start-up). */
export async function followDemoClock(db: Db): Promise<void> {
  const state = followState();
  if (state.timer) return;
  await loadDemoClockOffset(db);
  state.timer = setInterval(() => {
    loadDemoClockOffset(db).catch((error: unknown) =>
      console.warn(`[demo] could not read the demo clock's offset: ${describeForLog(error)}`),
    );
  }, DEMO_CLOCK_POLL_MS);
  state.timer.unref();
}

/** Stops following (tests). */
export function stopFollowingDemoClock(): void {
  const state = followState();
  if (state.timer) clearInterval(state.timer);
  state.timer = undefined;
}

export type EmulatorClockResult = { moved: true } | { moved: false; reason: string };

/**
 * Sets the KMS emulator's clock to Keyport's (its admin API, lib/emulator/README.md), so that KMS and
 * Keyport agree on when an import token expires. Best effort: an endpoint that is not an emulator started
 * with its admin API says so, and Keyport's own clock has moved regardless.
 */
export async function moveEmulatorClock(endpoint: string | undefined, at: number = nowMs()): Promise<EmulatorClockResult> {
  if (!endpoint) return { moved: false, reason: "no KMS endpoint is configured (KEYPORT_AWS_ENDPOINT)" };
  try {
    const response = await fetch(new URL("/__admin/clock", endpoint), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ set: at }),
      signal: AbortSignal.timeout(3_000),
    });
    if (response.ok) return { moved: true };
    return { moved: false, reason: `the endpoint answered ${response.status}; start the emulator with its admin API (--admin)` };
  } catch (error) {
    return { moved: false, reason: `the endpoint could not be reached (${error instanceof Error ? error.message : String(error)})` };
  }
}
