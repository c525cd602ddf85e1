import "server-only";
import { getServerSession } from "next-auth/next";
import { cache } from "react";
import type { Role } from "@/lib/config/schema";
import { getDb } from "@/lib/db";
import { ForbiddenError, UnauthenticatedError } from "./errors";
import { getAuthOptions } from "./options";
import { can, type Permission } from "./permissions";
import { isSessionLive } from "./session-record";
import type { Session } from "./session-token";

export type SessionReader = () => Promise<Session | null>;

// Once per request (React's cache is per request on the server), however many components and checks ask.
const readNextAuthSession: SessionReader = cache(async () => {
  const session = await getServerSession(getAuthOptions());
  // `keyport` was validated, age included, by the session callback in options.ts.
  return session?.keyport ? { user: session.keyport, sessionId: session.sessionId } : null;
});

/**
 * Whether a session's server-side record is live (session-record.ts): one primary-key read, once per
 * request and session however many checks ask. No longer-lived cache: a revoked session is refused by the
 * very next request, in every app instance.
 */
const recordIsLive = cache(async (sessionId: string, subject: string) => isSessionLive(await getDb(), sessionId, subject));

let reader: SessionReader = readNextAuthSession;

/** The signed-in person, or null. Every page, action and route handler asks this (through the guards). */
export async function getSession(): Promise<Session | null> {
  const session = await reader();
  if (!session?.sessionId) return null; // a token from before session records, or none at all
  return (await recordIsLive(session.sessionId, session.user.id)) ? session : null;
}

/**
 * The one seam for test doubles: replaces how the session is read from the request (the record check still
 * runs) and returns a function that puts the real reader back. Production code never calls it.
 */
export function replaceSessionReader(next: SessionReader): () => void {
  const previous = reader;
  reader = next;
  return () => {
    reader = previous;
  };
}

/** The session, or an UnauthenticatedError. */
export async function requireSession(): Promise<Session> {
  const session = await getSession();
  if (!session) throw new UnauthenticatedError();
  return session;
}

/** The session if it holds at least one of `roles`; otherwise UnauthenticatedError or ForbiddenError. */
export async function requireRole(...roles: Role[]): Promise<Session> {
  const session = await requireSession();
  if (!session.user.roles.some((role) => roles.includes(role))) throw new ForbiddenError();
  return session;
}

/** The session if its roles hold `permission` (lib/auth/permissions.ts); otherwise the typed errors. */
export async function requirePermission(permission: Permission): Promise<Session> {
  const session = await requireSession();
  if (!can(session.user.roles, permission)) throw new ForbiddenError(permission);
  return session;
}
