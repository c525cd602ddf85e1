import "server-only";
import type { Config } from "@/lib/config";
import type { Db } from "@/lib/db";
import { endSessionUrl } from "./end-session";
import { revokeSession, shortId } from "./session-record";
import { sessionFromToken } from "./session-token";

/**
 * The server's part of signing out, asked by the sign-out button before it clears the session cookie:
 * revoke the caller's own session record, so a copy of the cookie is refused from now on, and say where the
 * browser goes so the identity provider ends its session too.
 *
 * When the record cannot be revoked (the database does not answer), the browser is still signed out — its
 * cookie goes, and the identity provider's session still ends — but the session itself lives on for anyone
 * holding a copy of the cookie, until it expires or an admin ends it. That is never passed off as a finished
 * sign-out: the answer says so in a sentence for the person, with what to tell their administrator.
 */
export type SignOutAnswer =
  | { ended: true; url: string | null }
  | { ended: false; url: string | null; code: "session_not_ended"; message: string; session: string };

export async function endOwnSession(openDb: () => Promise<Db>, token: Record<string, unknown> | null, auth: Config["auth"]): Promise<SignOutAnswer> {
  // However old: a session past its age has nothing live left to revoke, and revokeSession says so.
  const current = sessionFromToken(token, Infinity);
  // Computed first: a database that does not answer must not also keep the provider's session alive.
  const url = await endSessionUrl(token, auth);
  if (!current) return { ended: true, url };
  try {
    await revokeSession(await openDb(), current.sessionId, { how: "signed_out", by: current.user });
    return { ended: true, url };
  } catch (error) {
    console.error(`[keyport] could not revoke the session of ${current.user.id} at sign-out:`, error instanceof Error ? error.name : error);
    const session = shortId(current.sessionId);
    const until = new Date((current.signedInAt + auth.sessionMaxAgeSeconds) * 1000).toISOString().slice(0, 16).replace("T", " ");
    return {
      ended: false,
      url,
      code: "session_not_ended",
      session,
      message:
        `You are signed out of this browser, but Keyport could not end the session on the server: its database did not answer. ` +
        `Until it is ended, a copy of this browser's session cookie would still be accepted (at most until ${until} UTC). ` +
        `Tell your administrator, who can end session ${session} on the Sessions page once the database is back.`,
    };
  }
}
