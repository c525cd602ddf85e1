"use server";

import { z } from "zod";
import { defineAction, KeyportError } from "@/lib/auth";
import { revokeSession } from "@/lib/auth/session-record";
import { getDb } from "@/lib/db";

/**
 * Ends someone's session: its record is revoked (and the revocation recorded in the audit trail in the same
 * transaction), so their cookie is refused from their next request on, in every app instance.
 */
export const endSession = defineAction(
  {
    name: "endSession",
    permission: "sessions.manage",
    schema: z.object({ sessionId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, "is not a session id") }).strict(),
  },
  async ({ sessionId }, { session }): Promise<{ ended: true }> => {
    const ended = await revokeSession(await getDb(), sessionId, { how: "ended_by_admin", by: session.user });
    if (!ended) throw new KeyportError("not_found", "That session has already ended (signed out, expired or ended by someone else). Reload the page to see who is signed in now.", { status: 404 });
    return { ended: true };
  },
);
