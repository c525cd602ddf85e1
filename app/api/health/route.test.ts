import { afterEach, describe, expect, it, vi } from "vitest";
import type { Role } from "@/lib/config/schema";
import { replaceSessionReader } from "@/lib/auth";
import { withLiveRecord } from "@/lib/auth/testing/sessions";
import { useAsProcessDatabase as asProcessDatabase } from "@/lib/db";
import { createTestDatabase, testDrivers } from "@/lib/db/testing";
import { GET } from "./route";

const as = (...roles: Role[]) => ({ user: { id: `user-${roles.join("-")}`, name: "Test Person", email: "t@example.com", roles } });

let undo: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of undo.reverse()) await fn();
  undo = [];
  vi.restoreAllMocks();
});

async function withDatabase(driver: "pglite" | "postgres", opts: { down?: boolean } = {}) {
  const database = await createTestDatabase(driver);
  if (opts.down) await database.cleanup(); // closed: every query fails, as when the server is gone
  else undo.push(() => database.cleanup());
  undo.push(asProcessDatabase(database.database));
}
function signedInAs(session: ReturnType<typeof as> | null) {
  // A session with a live server-side record, as a sign-in leaves it (the guards refuse one without).
  undo.push(replaceSessionReader(async () => (session ? withLiveRecord(session) : null)));
}

describe.each(testDrivers())("GET /api/health on %s", (driver) => {
  it("tells a stranger only that Keyport is up: no versions, no driver", async () => {
    await withDatabase(driver);
    signedInAs(null);
    const response = await GET();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ ok: true });
  });

  it("tells a signed-in non-admin no more than a stranger", async () => {
    await withDatabase(driver);
    signedInAs(as("custodian", "approver", "auditor"));
    expect(await (await GET()).json()).toEqual({ ok: true });
  });

  it("shows an admin the versions and the database's details", async () => {
    await withDatabase(driver);
    signedInAs(as("admin"));
    const body = await (await GET()).json();
    expect(body).toMatchObject({ ok: true, version: expect.any(String), database: { reachable: true, driver } });
    expect(body.database.serverVersion).toMatch(/PostgreSQL \d+/);
  });

  it("answers 503 {ok:false} when the database is down, logging no message", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await withDatabase(driver, { down: true });
    signedInAs(null);
    const response = await GET();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ok: false });
    expect(logged).toHaveBeenCalledOnce();
    expect(String(logged.mock.calls[0]![0])).toMatch(/^\[health\] database unreachable: \w+/);
  });
});
