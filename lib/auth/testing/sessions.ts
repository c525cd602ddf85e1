import { getDb } from "@/lib/db";
import { createSessionRecord, newSessionId } from "../session-record";
import { nowSeconds, type Session } from "../session-token";

// Once per session object: a test double's session keeps one record however often it is read.
const recorded = new WeakMap<Session, Session>();

/**
 * `session` with a live server-side record in the process database, as a sign-in leaves it: what a test
 * double of the session reader hands the guards (which refuse a session without a live record). Test-only.
 */
export async function withLiveRecord(session: Session): Promise<Session> {
  const known = recorded.get(session);
  if (known) return known;
  const sessionId = newSessionId();
  await createSessionRecord(await getDb(), { id: sessionId, user: session.user, signedInAt: nowSeconds(), maxAgeSeconds: 8 * 3600 });
  const live = { ...session, sessionId };
  recorded.set(session, live);
  return live;
}
