import { NextResponse } from "next/server";
import { z } from "zod";
import { defineRoute, KeyportError } from "@/lib/auth";
import { clockOffset, nowMs, setClockOffset } from "@/lib/clock";
import { getConfig } from "@/lib/config";

export const dynamic = "force-dynamic";

/**
 * Demo mode only: Keyport's clock (lib/clock), so a demo or an end-to-end test can watch an import token
 * expire without waiting a day. Answers 404 in production, as if it did not exist.
 *
 *   GET  /api/demo/clock                      → { now, offsetMs }
 *   POST /api/demo/clock { "advanceMs": n }   → moves Keyport's clock n ms forward (negative: back)
 *   POST /api/demo/clock { "offsetMs": n }    → sets the offset from the real clock; { "offsetMs": 0 } resets
 *
 * Admins only (config.read). It moves only this app's clock: move the KMS emulator's clock with its own admin
 * API (lib/emulator/README.md) if KMS must agree. Sessions last 8 hours by this clock, so moving it more than
 * that forward signs everyone out.
 */

const MAX_OFFSET_MS = 30 * 24 * 3600_000;
const bodySchema = z.union([
  z.object({ advanceMs: z.number().int().min(-MAX_OFFSET_MS).max(MAX_OFFSET_MS) }).strict(),
  z.object({ offsetMs: z.number().int().min(-MAX_OFFSET_MS).max(MAX_OFFSET_MS) }).strict(),
]);

function notFound() {
  return NextResponse.json({ code: "not_found", message: "There is nothing here, or it no longer exists." }, { status: 404 });
}

function state() {
  return NextResponse.json({ now: nowMs(), offsetMs: clockOffset() }, { headers: { "Cache-Control": "no-store" } });
}

export const GET = defineRoute({ name: "demoClock", permission: "config.read" }, async () => {
  if (getConfig().mode !== "demo") return notFound();
  return state();
});

export const POST = defineRoute({ name: "setDemoClock", permission: "config.read" }, async (request, { session }) => {
  if (getConfig().mode !== "demo") return notFound();
  const parsed = bodySchema.safeParse(await request.json().catch(() => undefined));
  if (!parsed.success) {
    throw new KeyportError("invalid_input", `Send {"advanceMs": n} or {"offsetMs": n}, with |n| at most ${MAX_OFFSET_MS} ms (30 days).`, { status: 422 });
  }
  const next = "advanceMs" in parsed.data ? clockOffset() + parsed.data.advanceMs : parsed.data.offsetMs;
  if (Math.abs(next) > MAX_OFFSET_MS) throw new KeyportError("invalid_input", "The clock may be moved at most 30 days from the real time.", { status: 422 });
  setClockOffset(next);
  console.warn(`[demo] ${session.user.id} set Keyport's clock offset to ${next} ms`);
  return state();
});
