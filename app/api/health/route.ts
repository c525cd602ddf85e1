import { NextResponse } from "next/server";
import { runtimeInfo } from "@/lib/config";
import { getDatabase } from "@/lib/db";

/**
 * GET /api/health: for load balancers, without a session. Says whether the
 * database answers and which versions run — nothing about targets, people or keys.
 */
export const dynamic = "force-dynamic";

export async function GET() {
  const { version } = runtimeInfo();
  try {
    const database = await getDatabase();
    const ping = await database.ping();
    return NextResponse.json(
      {
        status: "ok",
        version,
        database: { reachable: true, driver: ping.driver, serverVersion: ping.serverVersion, latencyMs: ping.latencyMs },
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    // The reason goes to the server log only; the probe learns that the database is unreachable.
    console.error("[health] database unreachable:", error instanceof Error ? error.message : error);
    return NextResponse.json(
      { status: "unavailable", version, database: { reachable: false } },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
