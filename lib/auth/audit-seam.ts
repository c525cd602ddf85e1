import "server-only";
import { appendAuditStandalone, type AuditEventInput } from "@/lib/audit";
import { getDb } from "@/lib/db";
import type { SessionUser } from "./session-token";

/**
 * The one place sign-in and sign-out reach the audit trail (next-auth `events`, lib/auth/options.ts).
 * A failed append fails the sign-in (next-auth answers its error page): Keyport records every sign-in or
 * lets nobody in — the same promise the rest of the trail makes.
 */
export type AuthEventKind = "sign_in" | "sign_out";
export type AuthEventDetails = { provider?: string };

export function authAuditEvent(kind: AuthEventKind, user: SessionUser, details: AuthEventDetails = {}): AuditEventInput {
  return {
    action: kind === "sign_in" ? "auth.sign_in" : "auth.sign_out",
    actor: { subject: user.id, name: user.name, roles: user.roles },
    details: {
      provider: details.provider,
      email: user.email ?? undefined,
      // Someone the identity provider knows but no group or e-mail mapping gives a role (the no-access page).
      ...(kind === "sign_in" && user.roles.length === 0 ? { noRole: true } : {}),
    },
  };
}

export async function recordAuthEvent(kind: AuthEventKind, user: SessionUser, details: AuthEventDetails = {}): Promise<void> {
  try {
    await appendAuditStandalone(await getDb(), authAuditEvent(kind, user, details));
  } catch (error) {
    console.error(`[keyport] could not record ${kind} of ${user.id} in the audit trail:`, error instanceof Error ? error.message : error);
    throw error;
  }
}
