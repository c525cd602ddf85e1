import "server-only";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { notFound, redirect } from "next/navigation";
import { getConfig } from "@/lib/config";
import { recordAccessDenied } from "./audit-seam";
import { NO_ACCESS_PATH, PATH_HEADER, signInPath } from "./paths";
import { can, type Permission } from "./permissions";
import { getSession } from "./session";
import { sessionCookieName, usesSecureCookies, type Session } from "./session-token";

/** Whether the request carries a session cookie at all (then a missing session means it ended). */
export async function hasSessionCookie(): Promise<boolean> {
  const name = sessionCookieName(usesSecureCookies(getConfig().auth.url));
  return (await cookies()).getAll().some((c) => c.name === name || c.name.startsWith(`${name}.`));
}

/**
 * For pages and layouts: the session of someone who may see this page. Signed out (or expired) → the
 * sign-in page, coming back here afterwards; signed in without any role → the no-access page; signed in
 * without `permission` → not found: a forbidden page looks like a missing one, so it does not tell who may
 * not see it that it exists.
 */
export async function requirePageSession(permission?: Permission): Promise<Session> {
  const session = await getSession();
  if (!session) {
    const path = (await headers()).get(PATH_HEADER);
    redirect(signInPath(path, (await hasSessionCookie()) ? "expired" : undefined));
  }
  if (session.user.roles.length === 0) redirect(NO_ACCESS_PATH);
  if (permission && !can(session.user.roles, permission)) {
    await recordPageRefusal(session, permission, (await headers()).get(PATH_HEADER) ?? "unknown page");
    notFound();
  }
  return session;
}

/** Once per request: a section's layout and its page may both check the same permission. */
const recordPageRefusal = cache(async (session: Session, permission: Permission, path: string) => {
  await recordAccessDenied(session.user, { kind: "page", name: path, permission });
});
