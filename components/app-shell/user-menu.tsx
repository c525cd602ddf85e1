"use client";

import Link from "next/link";
import type { Role } from "@/lib/config/schema";
import { Avatar } from "./avatar";
import { RoleBadges } from "./role-badges";
import { SignOutButton } from "./sign-out-button";
import { useDisclosure } from "@/components/ui/use-disclosure";

export type UserMenuProps = {
  user: { name: string; email: string | null; roles: Role[] };
  /** Demo mode, or the name of the identity provider the person signed in with. */
  mode: { demo: true } | { demo: false; providerName: string };
  /** "8 hours": how long a session lasts from sign-in. */
  sessionLength: string;
};

/**
 * The signed-in person's menu in the top bar: a disclosure (a button that shows and hides a panel).
 * Escape closes it and puts focus back on the button; so do a click outside and tabbing out of it.
 */
export function UserMenu({ user, mode, sessionLength }: UserMenuProps) {
  const { open, setOpen, buttonRef, panelId, rootProps } = useDisclosure();

  return (
    <div {...rootProps} className="relative">
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        className="flex items-center gap-2 rounded-md py-1 pl-1 pr-2 text-sm font-medium text-ink-100 transition-colors hover:bg-white/5 hover:text-white focus-visible:outline-white aria-expanded:bg-white/10"
      >
        <Avatar name={user.name} size="sm" />
        <span className="sr-only">Account menu for </span>
        <span className="sr-only max-w-44 truncate md:not-sr-only">{user.name}</span>
        <svg viewBox="0 0 20 20" aria-hidden className={`size-4 text-ink-400 transition-transform ${open ? "rotate-180" : ""}`} fill="currentColor">
          <path d="M5.3 7.3a1 1 0 011.4 0L10 10.6l3.3-3.3a1 1 0 111.4 1.4l-4 4a1 1 0 01-1.4 0l-4-4a1 1 0 010-1.4z" />
        </svg>
      </button>

      <div
        id={panelId}
        hidden={!open}
        className="absolute right-0 top-full z-40 mt-2 w-80 overflow-hidden rounded-card bg-white text-ink-900 shadow-lg ring-1 ring-ink-200"
      >
        <div className="flex items-center gap-3 p-4">
          <Avatar name={user.name} size="lg" />
          <div className="min-w-0">
            <p className="truncate font-semibold">{user.name}</p>
            {user.email && <p className="truncate text-sm text-ink-600">{user.email}</p>}
          </div>
        </div>

        <div className="border-t border-ink-100 px-4 py-3">
          <p className="mb-2 text-xs font-medium uppercase tracking-wide text-ink-500">Roles</p>
          <RoleBadges roles={user.roles} />
        </div>

        <p className="border-t border-ink-100 px-4 py-3 text-sm leading-5 text-ink-600">
          {mode.demo ? (
            <>
              <span className="mr-1.5 rounded bg-alert-warning-icon px-1.5 py-0.5 text-[11px] font-bold uppercase tracking-wider text-ink-950">
                Demo
              </span>
              Demo mode: an offline KMS emulator, no real AWS.
            </>
          ) : (
            <>Signed in with {mode.providerName}.</>
          )}{" "}
          Sessions end after {sessionLength}.
        </p>

        <div className="flex flex-col border-t border-ink-100 p-2">
          {mode.demo && (
            <Link
              href="/signin"
              className="rounded-md px-3 py-2 text-sm font-medium text-ink-700 hover:bg-ink-50 hover:text-ink-900"
              onClick={() => setOpen(false)}
            >
              Switch demo person
            </Link>
          )}
          <SignOutButton className="rounded-md px-3 py-2 text-left text-sm font-medium text-ink-700 hover:bg-ink-50 hover:text-ink-900 disabled:cursor-wait disabled:opacity-60" />
        </div>
      </div>
    </div>
  );
}
