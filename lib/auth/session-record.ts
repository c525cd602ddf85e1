import "server-only";
import { randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull, lt } from "drizzle-orm";
import { appendAudit } from "@/lib/audit";
import { nowMs } from "@/lib/clock";
import type { Db } from "@/lib/db";
import { sessions } from "@/lib/db/schema";
import type { SessionUser } from "./session-token";

/**
 * The server-side record of each session. next-auth's session is a JWT in a cookie, valid by itself until it
 * expires; without a record, signing out only deletes the browser's copy, and any copy taken earlier (a
 * proxy log, a shared workstation, malware) keeps working for the rest of the session. So every sign-in
 * writes a row keyed by a random id the token carries (`sid`), every check reads that row by its primary
 * key, and sign-out or an admin revokes it: from then on the token is refused everywhere, at once.
 */

/** How often a session's `last_seen_at` is written: at most once a minute, so a check is one read. */
export const LAST_SEEN_INTERVAL_MS = 60_000;

/** A new session id: 128 random bits, URL-safe. Not a secret on its own (the cookie is the credential). */
export function newSessionId(): string {
  return randomBytes(16).toString("base64url");
}

export type NewSession = { id: string; user: SessionUser; provider?: string; signedInAt: number; maxAgeSeconds: number };

/**
 * Rows are kept this long past their expiry, then deleted at a later sign-in (their tokens are refused by age
 * anyway). The margin keeps a demo clock moved forward and back from deleting sessions that are live again.
 */
const PRUNE_AFTER_MS = 30 * 24 * 3600_000;

/** Records a sign-in, and deletes long-expired rows. */
export async function createSessionRecord(db: Db, session: NewSession): Promise<void> {
  const now = new Date(nowMs());
  const created = new Date(session.signedInAt * 1000);
  await db.insert(sessions).values({
    id: session.id,
    subject: session.user.id,
    name: session.user.name,
    email: session.user.email,
    roles: session.user.roles,
    provider: session.provider ?? null,
    createdAt: created,
    lastSeenAt: now,
    expiresAt: new Date(created.getTime() + session.maxAgeSeconds * 1000),
  });
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date(now.getTime() - PRUNE_AFTER_MS)));
}

/**
 * Whether the session `id` of `subject` is still live: recorded, not revoked, not expired. One read by
 * primary key; a write only when `last_seen_at` is a minute old.
 */
export async function isSessionLive(db: Db, id: string, subject: string): Promise<boolean> {
  const [row] = await db
    .select({ subject: sessions.subject, revokedAt: sessions.revokedAt, expiresAt: sessions.expiresAt, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .where(eq(sessions.id, id))
    .limit(1);
  const now = nowMs();
  if (!row || row.subject !== subject || row.revokedAt || row.expiresAt.getTime() <= now) return false;
  if (now - row.lastSeenAt.getTime() >= LAST_SEEN_INTERVAL_MS) {
    await db.update(sessions).set({ lastSeenAt: new Date(now) }).where(eq(sessions.id, id));
  }
  return true;
}

export type ActiveSession = {
  id: string;
  subject: string;
  name: string;
  email: string | null;
  roles: string[];
  provider: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
};

/** Live sessions, the most recently seen first (for admins). */
export async function listActiveSessions(db: Db, limit = 200): Promise<ActiveSession[]> {
  return db
    .select({
      id: sessions.id,
      subject: sessions.subject,
      name: sessions.name,
      email: sessions.email,
      roles: sessions.roles,
      provider: sessions.provider,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .where(and(isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date(nowMs()))))
    .orderBy(desc(sessions.lastSeenAt), sessions.id)
    .limit(limit);
}

export type Revocation =
  | { how: "signed_out"; by: SessionUser }
  | { how: "ended_by_admin"; by: SessionUser };

/**
 * Revokes session `id` and records it in the audit trail, in one transaction: `auth.sign_out` when the
 * person signed out, `auth.session_revoked` when an admin ended it. Returns the revoked session, or null when
 * there was nothing live to revoke (already revoked, expired, unknown): then nothing is recorded, so the two
 * steps of a sign-out (the end-session route and next-auth's sign-out) record it once.
 */
export async function revokeSession(db: Db, id: string, revocation: Revocation): Promise<ActiveSession | null> {
  const now = new Date(nowMs());
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(sessions)
      .set({ revokedAt: now, revokedBy: revocation.by.id })
      .where(and(eq(sessions.id, id), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
      .returning();
    if (!row) return null;
    const actor = { subject: revocation.by.id, name: revocation.by.name, roles: revocation.by.roles };
    await appendAudit(
      tx,
      revocation.how === "signed_out"
        ? { action: "auth.sign_out", actor, details: { provider: row.provider ?? undefined, email: revocation.by.email ?? undefined, session: shortId(row.id) } }
        : {
            action: "auth.session_revoked",
            actor,
            details: { session: shortId(row.id), subject: row.subject, name: row.name, email: row.email ?? undefined },
          },
    );
    return row;
  });
}

/** The first characters of a session id: enough to tell sessions apart in the trail and on screen. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
