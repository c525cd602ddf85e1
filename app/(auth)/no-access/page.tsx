import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Avatar } from "@/components/app-shell/avatar";
import { SignOutButton } from "@/components/app-shell/sign-out-button";
import { getSession } from "@/lib/auth";
import { HOME_PATH, signInPath } from "@/lib/auth/paths";
import { ROLE_DESCRIPTIONS, ROLE_LABELS } from "@/lib/auth/permissions";
import { getConfig, ROLES } from "@/lib/config";

export const metadata: Metadata = { title: "No access" };

/** For someone the identity provider knows but Keyport gives no role: what happened and what to do. */
export default async function NoAccessPage() {
  const session = await getSession();
  if (!session) redirect(signInPath());
  if (session.user.roles.length > 0) redirect(HOME_PATH);
  const { auth } = getConfig();
  const { name, email } = session.user;

  return (
    <div className="mx-auto max-w-xl">
      <div className="rounded-card bg-white p-6 shadow-card sm:p-8">
        <div className="flex size-12 items-center justify-center rounded-full bg-alert-warning-bg text-alert-warning-icon">
          <svg viewBox="0 0 24 24" className="size-6" fill="none" stroke="currentColor" strokeWidth={1.75} strokeLinecap="round" strokeLinejoin="round" aria-hidden>
            <rect x="5" y="11" width="14" height="9" rx="2" />
            <path d="M8 11V8a4 4 0 118 0v3" />
          </svg>
        </div>
        <h1 className="mt-4 text-xl font-semibold tracking-tight text-ink-900">You have no access to Keyport yet</h1>
        <p className="mt-2 text-sm leading-6 text-ink-600">
          {auth.oidc?.name ?? "Your identity provider"} signed you in, but none of your groups gives you a role in Keyport,
          so there is nothing here you may see or do.
        </p>

        <div className="mt-5 flex items-center gap-3 rounded-md bg-ink-50 px-4 py-3">
          <Avatar name={name} />
          <div className="min-w-0 text-sm">
            <p className="truncate font-medium text-ink-900">{name}</p>
            {email && <p className="truncate text-ink-600">{email}</p>}
          </div>
        </div>

        <h2 className="mt-6 text-sm font-semibold text-ink-900">What to do</h2>
        <p className="mt-1 text-sm leading-6 text-ink-600">
          Ask your Keyport administrator for the role you need. They grant roles by group membership in the identity
          provider (or by e-mail address). Roles are read when you sign in, so once you have been added, sign out and
          sign in again.
        </p>
        <dl className="mt-4 divide-y divide-ink-100 rounded-md border border-ink-200 text-sm">
          {ROLES.map((role) => (
            <div key={role} className="grid gap-1 px-4 py-2.5 sm:grid-cols-[7rem_1fr]">
              <dt className="font-medium text-ink-900">{ROLE_LABELS[role]}</dt>
              <dd className="text-ink-600">{ROLE_DESCRIPTIONS[role]}</dd>
            </div>
          ))}
        </dl>

        <div className="mt-6 flex justify-end">
          <SignOutButton className="rounded-md bg-accent-600 px-4 py-2 text-sm font-medium text-white hover:bg-accent-700 disabled:cursor-wait disabled:opacity-70" />
        </div>
      </div>
    </div>
  );
}
