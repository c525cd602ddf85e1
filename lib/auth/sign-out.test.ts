import { afterEach, describe, expect, it, vi } from "vitest";
import type { Config } from "@/lib/config";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { createSessionRecord, isSessionLive, newSessionId } from "./session-record";
import { nowSeconds } from "./session-token";
import { endOwnSession } from "./sign-out";

/** Against a real database, and one that no longer answers (closed), as when the server is gone. */

const auth: Config["auth"] = { secret: "x".repeat(32), url: undefined, oidc: undefined, roleMap: {}, emailRoles: {}, sessionMaxAgeSeconds: 8 * 3600 };
const person = { id: "demo-riley", name: "Riley Fernandes", email: "riley@example.com", roles: ["custodian" as const] };

const databases: TestDatabase[] = [];
afterEach(async () => {
  for (const d of databases.splice(0)) await d.cleanup().catch(() => undefined);
  vi.restoreAllMocks();
});

async function signedIn(driver: "pglite" | "postgres") {
  const database = await createTestDatabase(driver);
  databases.push(database);
  const sid = newSessionId();
  const signedInAt = nowSeconds();
  await createSessionRecord(database.database.db, { id: sid, user: person, provider: "demo", signedInAt, maxAgeSeconds: auth.sessionMaxAgeSeconds });
  const token = { sub: person.id, name: person.name, email: person.email, roles: person.roles, signedInAt, sid, provider: "demo" };
  return { database, sid, signedInAt, token };
}

describe.each(testDrivers())("endOwnSession on %s", (driver) => {
  it("revokes the caller's session record", async () => {
    const { database, sid, token } = await signedIn(driver);
    expect(await endOwnSession(async () => database.database.db, token, auth)).toEqual({ ended: true, url: null });
    expect(await isSessionLive(database.database.db, sid, person.id)).toBe(false);
  });

  it("says so, never a finished sign-out, when the database does not answer", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { database, sid, signedInAt, token } = await signedIn(driver);
    await database.cleanup(); // closed: every query fails
    const answer = await endOwnSession(async () => database.database.db, token, auth);
    expect(answer).toMatchObject({ ended: false, code: "session_not_ended", session: sid.slice(0, 8), url: null });
    if (answer.ended) throw new Error("unreachable");
    expect(answer.message).toMatch(/^You are signed out of this browser, but Keyport could not end the session on the server: its database did not answer\./);
    expect(answer.message).toContain(`Tell your administrator, who can end session ${sid.slice(0, 8)} on the Sessions page`);
    const until = new Date((signedInAt + auth.sessionMaxAgeSeconds) * 1000).toISOString().slice(0, 16).replace("T", " ");
    expect(answer.message).toContain(`at most until ${until} UTC`);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining("could not revoke the session of demo-riley at sign-out"), expect.any(String));
  });

  it("has nothing to end without a session", async () => {
    expect(await endOwnSession(async () => Promise.reject(new Error("not asked")), null, auth)).toEqual({ ended: true, url: null });
  });
});
