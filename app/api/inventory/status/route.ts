import { NextResponse } from "next/server";
import { defineRoute } from "@/lib/auth";
import { nowMs } from "@/lib/clock";
import { inventoryStatus } from "@/lib/inventory";
import { toStatusDto } from "@/lib/inventory/status-dto";

export const dynamic = "force-dynamic";

/** GET /api/inventory/status: refresh progress per target and Region, polled by the keys page. */
export const GET = defineRoute({ name: "inventoryStatus", permission: "keys.read" }, async () => {
  return NextResponse.json(toStatusDto(await inventoryStatus(), nowMs()), { headers: { "Cache-Control": "no-store" } });
});
