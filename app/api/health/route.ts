import { NextResponse } from "next/server";
import { can, getSession } from "@/lib/auth";
import { runtimeInfo } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { describeForLog } from "@/lib/errors/internal";

/**
 * GET /api/health: for load balancers, without a session. A stranger learns only whether Keyport can serve
 * (`{ok:true}` 200, `{ok:false}` 503): versions name what an attacker should look up. A signed-in admin
 * (config.read) also sees the build's version and the database's driver, server version and latency.
 */
export const dynamic = "force-dynamic";

const headers = { "Cache-Control": "no-store" };

async function isAdmin(): Promise<boolean> {
  try {
    const session = await getSession();
    return session !== null && can(session.user.roles, "config.read");
  } catch {
    return false; // A session that cannot be read is a stranger's; the probe still answers.
  }
}

export async function GET() {
  const details = await isAdmin();
  const { version } = runtimeInfo();
  try {
    const database = await getDatabase();
    const ping = await database.ping();
    const body = details
      ? { ok: true, version, database: { reachable: true, driver: ping.driver, serverVersion: ping.serverVersion, latencyMs: ping.latencyMs } }
      : { ok: true };
    return NextResponse.json(body, { headers });
  } catch (error) {
    // The reason goes to the server log only (class and code: a driver's message may name hosts and users).
    console.error(`[health] database unreachable: ${describeForLog(error)}`);
    return NextResponse.json(details ? { ok: false, version, database: { reachable: false } } : { ok: false }, { status: 503, headers });
  }
}
