import "server-only";
import { appendAuditStandalone, type AuditEventInput } from "@/lib/audit";
import { getDb, type Db } from "@/lib/db";
import { logInternalError } from "@/lib/errors/internal";
import type { Permission } from "./permissions";
import type { SessionUser } from "./session-token";

/**
 * The one place sign-in, sign-out and refused access reach the audit trail. Sign-in and sign-out come from
 * next-auth `events` (lib/auth/options.ts); a failed append fails the sign-in (next-auth answers its error
 * page): Keyport records every sign-in or lets nobody in — the same promise the rest of the trail makes.
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
    logInternalError("keyport", `while recording ${kind} of ${user.id} in the audit trail`, error);
    throw error;
  }
}

/**
 * What a signed-in person was refused: a server action, a route handler or a page, and the permission it
 * needs; or, with `dual_control`, a step of an import request that their permission allows but dual control
 * does not (its requester or uploader approving, rejecting or retrying it), admins included.
 */
export type AccessDenied =
  | { kind: "action" | "route" | "page"; name: string; permission: Permission }
  | { kind: "dual_control"; name: "approve" | "reject" | "retry"; permission: Permission; requestId: string; role: "requester" | "uploader" };

export function accessDeniedEvent(user: SessionUser, denied: AccessDenied): AuditEventInput {
  const rule = denied.kind === "dual_control" ? { role: denied.role } : {};
  return {
    action: "auth.access_denied",
    actor: { subject: user.id, name: user.name, roles: user.roles },
    ...(denied.kind === "dual_control" ? { requestId: denied.requestId } : {}),
    details: { kind: denied.kind, name: denied.name, permission: denied.permission, ...rule, email: user.email ?? undefined },
  };
}

function refusalLine(user: SessionUser, denied: AccessDenied): string {
  const who = `${user.id} (${user.roles.join(", ") || "no role"})`;
  return denied.kind === "dual_control"
    ? `[keyport] refused ${denied.name} of request ${denied.requestId}: ${who} is its ${denied.role} (dual control)`
    : `[keyport] refused ${denied.kind} "${denied.name}": ${who} lacks ${denied.permission}`;
}

/**
 * Records that a signed-in person was refused something their roles do not allow, in the log for the operator
 * and in the audit trail (PCI DSS asks for invalid access attempts there). Only people with a session are recorded: anonymous calls have nobody to
 * name and would let anyone on the network fill the trail. Never throws: the refusal stands whether or not
 * the trail could take it, and a failure is logged for the operator. `db` is the database of the caller that
 * refused (the import workflow's); by default the process's.
 */
export async function recordAccessDenied(user: SessionUser, denied: AccessDenied, db?: Db): Promise<void> {
  console.warn(refusalLine(user, denied));
  try {
    await appendAuditStandalone(db ?? (await getDb()), accessDeniedEvent(user, denied));
  } catch (error) {
    // Not the message: a failed insert's message carries its parameters (the e-mail address among them).
    logInternalError("keyport", `while recording a refused ${denied.kind} "${denied.name}" of ${user.id} in the audit trail`, error);
  }
}
