import { z } from "zod";
import { sessionNowMs } from "@/lib/clock";
import { ROLES, type Role } from "@/lib/config/schema";

/**
 * What Keyport keeps in the next-auth JWT, and the one function that decides whether such a token is still
 * a session. Pure (no server-only) because proxy.ts uses it too.
 *
 * The 8-hour maximum is absolute, counted from sign-in (`signedInAt`): next-auth re-issues the cookie with
 * a fresh expiry whenever /api/auth/session is read, so its own `exp` alone would let a session live
 * forever. `signedInAt` is read from lib/clock's
 * source (`sessionNowMs`), so tests can move it; the demo clock's offset does not, so moving the demo clock
 * signs nobody out.
 */
export type SessionUser = {
  /** The identity provider's subject (or the demo person's id). */
  id: string;
  name: string;
  email: string | null;
  roles: Role[];
};

/**
 * `sessionId` names the session's server-side record (lib/auth/session-record.ts); a session without one is
 * refused by every check.
 */
export type Session = { user: SessionUser; sessionId?: string };

/** A session as the token holds it: also when it began (seconds since the epoch, Keyport's clock). */
export type TokenSession = Session & { signedInAt: number; sessionId: string };

export const sessionClaimsSchema = z.object({
  sub: z.string().min(1),
  name: z.string().min(1),
  email: z.string().nullable().optional(),
  roles: z.array(z.enum(ROLES)),
  signedInAt: z.number().int().positive(),
  /** The session's record; tokens issued before records existed have none, and are no longer sessions. */
  sid: z.string().min(16).max(64),
});
export type SessionClaims = z.infer<typeof sessionClaimsSchema>;

export function nowSeconds(): number {
  return Math.floor(sessionNowMs() / 1000);
}

/** The session a decoded token carries, or null when it is malformed or older than `maxAgeSeconds`. */
export function sessionFromToken(token: unknown, maxAgeSeconds: number, now: number = nowSeconds()): TokenSession | null {
  const parsed = sessionClaimsSchema.safeParse(token);
  if (!parsed.success) return null;
  const claims = parsed.data;
  if (claims.signedInAt + maxAgeSeconds <= now) return null;
  return {
    user: { id: claims.sub, name: claims.name, email: claims.email ?? null, roles: claims.roles },
    signedInAt: claims.signedInAt,
    sessionId: claims.sid,
  };
}

/** Seconds a token signed in at `signedInAt` may still live (never negative). */
export function secondsLeft(signedInAt: number, maxAgeSeconds: number, now: number = nowSeconds()): number {
  return Math.max(0, signedInAt + maxAgeSeconds - now);
}

/** next-auth's session cookie name (it splits large tokens into `.0`, `.1`… chunks). */
export function sessionCookieName(secure: boolean): string {
  return `${secure ? "__Secure-" : ""}next-auth.session-token`;
}

/** Whether Keyport sets Secure cookies: whenever its public URL is https. */
export function usesSecureCookies(authUrl: string | undefined): boolean {
  return authUrl?.startsWith("https://") ?? false;
}
