import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents, verifyAudit } from "@/lib/audit";
import { setClockOffset } from "@/lib/clock";
import { sessions } from "@/lib/db/schema";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { createSessionRecord, isSessionLive, listActiveSessions, newSessionId, revokeSession } from "./session-record";
import { nowSeconds, type SessionUser } from "./session-token";

const devon: SessionUser = { id: "demo-devon", name: "Devon Okafor", email: "devon@example.com", roles: ["custodian"] };
const morgan: SessionUser = { id: "demo-morgan", name: "Morgan Achterberg", email: "morgan@example.com", roles: ["admin"] };
const EIGHT_HOURS = 8 * 3600;

describe.each(testDrivers())("session records on %s", (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await database?.cleanup();
  });
  afterEach(() => setClockOffset(0));

  const signIn = async (user: SessionUser) => {
    const id = newSessionId();
    await createSessionRecord(database.database.db, { id, user, provider: "demo", signedInAt: nowSeconds(), maxAgeSeconds: EIGHT_HOURS });
    return id;
  };

  it("a new session is live for its own subject only, and for its length only", async () => {
    const db = database.database.db;
    const id = await signIn(devon);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await isSessionLive(db, id, devon.id)).toBe(true);
    expect(await isSessionLive(db, id, morgan.id)).toBe(false);
    expect(await isSessionLive(db, newSessionId(), devon.id)).toBe(false);
    setClockOffset(EIGHT_HOURS * 1000 + 1000);
    expect(await isSessionLive(db, id, devon.id)).toBe(false);
    expect((await listActiveSessions(db)).map((s) => s.id)).not.toContain(id);
  });

  it("writes last seen at most once a minute", async () => {
    const db = database.database.db;
    const id = await signIn(devon);
    const lastSeen = async () => (await db.select({ at: sessions.lastSeenAt }).from(sessions).where(eq(sessions.id, id)))[0]!.at.getTime();
    const first = await lastSeen();
    setClockOffset(30_000);
    await isSessionLive(db, id, devon.id);
    expect(await lastSeen()).toBe(first);
    setClockOffset(61_000);
    await isSessionLive(db, id, devon.id);
    expect(await lastSeen()).toBeGreaterThanOrEqual(first + 61_000);
  });

  it("an admin ends a session: refused from then on, gone from the list, recorded once with who ended whose", async () => {
    const db = database.database.db;
    const id = await signIn(devon);
    expect((await listActiveSessions(db)).map((s) => s.id)).toContain(id);
    const ended = await revokeSession(db, id, { how: "ended_by_admin", by: morgan });
    expect(ended).toMatchObject({ id, subject: devon.id, revokedBy: morgan.id });
    expect(await isSessionLive(db, id, devon.id)).toBe(false);
    expect((await listActiveSessions(db)).map((s) => s.id)).not.toContain(id);
    expect(await revokeSession(db, id, { how: "signed_out", by: devon })).toBeNull();

    const { events } = await listAuditEvents(db, { action: ["auth.session_revoked", "auth.sign_out"] }, { limit: 50 });
    const about = events.filter((e) => e.details.session === id.slice(0, 8));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatchObject({
      action: "auth.session_revoked",
      actor: { subject: morgan.id, roles: ["admin"] },
      details: { subject: devon.id, name: devon.name, email: devon.email },
    });
    await expect(verifyAudit(db)).resolves.toMatchObject({ ok: true });
  });
});
