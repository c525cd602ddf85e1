import "server-only";
import { getServerSession } from "next-auth/next";
import { cache } from "react";
import type { Role } from "@/lib/config/schema";
import { ForbiddenError, UnauthenticatedError } from "./errors";
import { getAuthOptions } from "./options";
import { can, type Permission } from "./permissions";
import type { Session } from "./session-token";

export type SessionReader = () => Promise<Session | null>;

// Once per request (React's cache is per request on the server), however many components and checks ask.
const readNextAuthSession: SessionReader = cache(async () => {
  const session = await getServerSession(getAuthOptions());
  // `keyport` was validated, age included, by the session callback in options.ts.
  return session?.keyport ? { user: session.keyport } : null;
});

let reader: SessionReader = readNextAuthSession;

/** The signed-in person, or null. Every page, action and route handler asks this (through the guards). */
export function getSession(): Promise<Session | null> {
  return reader();
}

/**
 * The one seam for test doubles: replaces how the session is read and returns a function that puts the
 * real reader back. Production code never calls it.
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
