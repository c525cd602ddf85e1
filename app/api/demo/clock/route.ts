import { NextResponse } from "next/server";
import { z } from "zod";
import { defineRoute, KeyportError } from "@/lib/auth";
import { clockOffset, nowMs } from "@/lib/clock";
import { MAX_DEMO_OFFSET_MS, moveEmulatorClock, saveDemoClockOffset, type EmulatorClockResult } from "@/lib/clock/demo";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

/**
 * Demo mode only: Keyport's clock (lib/clock), so a demo or an end-to-end test can watch an import token
 * expire without waiting a day. Answers 404 in production, as if it did not exist.
 *
 *   GET  /api/demo/clock                      → { now, offsetMs }
 *   POST /api/demo/clock { "advanceMs": n }   → moves Keyport's clock n ms forward (negative: back)
 *   POST /api/demo/clock { "offsetMs": n }    → sets the offset from the real clock; { "offsetMs": 0 } resets
 *
 * Admins only (config.read); refused from other websites like every state-changing route (lib/auth). The
 * offset is stored in the database, so every app instance follows it (lib/clock/demo.ts), and the KMS
 * emulator's clock is set to match, so KMS and Keyport agree on when a token expires. Sign-in sessions
 * are timed by the real clock (lib/clock `sessionNowMs`), so a move signs nobody out.
 */

const bodySchema = z.union([
  z.object({ advanceMs: z.number().int().min(-MAX_DEMO_OFFSET_MS).max(MAX_DEMO_OFFSET_MS) }).strict(),
  z.object({ offsetMs: z.number().int().min(-MAX_DEMO_OFFSET_MS).max(MAX_DEMO_OFFSET_MS) }).strict(),
]);

function notFound() {
  return NextResponse.json({ code: "not_found", message: "There is nothing here, or it no longer exists." }, { status: 404 });
}

function state(emulator?: EmulatorClockResult) {
  return NextResponse.json({ now: nowMs(), offsetMs: clockOffset(), ...(emulator ? { emulator } : {}) }, { headers: { "Cache-Control": "no-store" } });
}

export const GET = defineRoute({ name: "demoClock", permission: "config.read" }, async () => {
  if (getConfig().mode !== "demo") return notFound();
  return state();
});

export const POST = defineRoute({ name: "setDemoClock", permission: "config.read" }, async (request, { session }) => {
  const config = getConfig();
  if (config.mode !== "demo") return notFound();
  const parsed = bodySchema.safeParse(await request.json().catch(() => undefined));
  if (!parsed.success) {
    throw new KeyportError("invalid_input", `Send {"advanceMs": n} or {"offsetMs": n}, with |n| at most ${MAX_DEMO_OFFSET_MS} ms (30 days).`, { status: 422 });
  }
  const next = "advanceMs" in parsed.data ? clockOffset() + parsed.data.advanceMs : parsed.data.offsetMs;
  if (Math.abs(next) > MAX_DEMO_OFFSET_MS) throw new KeyportError("invalid_input", "The clock may be moved at most 30 days from the real time.", { status: 422 });
  await saveDemoClockOffset(await getDb(), next, session.user.id);
  const emulator = await moveEmulatorClock(config.aws.endpoint);
  console.warn(`[demo] ${session.user.id} set Keyport's clock offset to ${next} ms${emulator.moved ? " (and the emulator's)" : `; the KMS clock was not moved: ${emulator.reason}`}`);
  return state(emulator);
});
