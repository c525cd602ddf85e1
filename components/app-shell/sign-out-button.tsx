"use client";

import { signOut } from "next-auth/react";
import { useState, type ReactNode } from "react";

/**
 * Signs out through next-auth (a POST carrying its CSRF token, which clears the session cookie and
 * records the sign-out), then opens the sign-in page. `redirect: false` because next-auth would build the
 * next URL from NEXTAUTH_URL, which demo mode need not set.
 */
export function SignOutButton({ className, children = "Sign out" }: { className?: string; children?: ReactNode }) {
  const [state, setState] = useState<"idle" | "pending" | "failed">("idle");
  return (
    <>
      <button
        type="button"
        className={className}
        disabled={state === "pending"}
        onClick={async () => {
          setState("pending");
          try {
            await signOut({ redirect: false });
            // A full load on purpose: it drops the client router's cache of pages rendered for the signed-in person.
            // eslint-disable-next-line @next/next/no-location-assign-relative-destination
            window.location.assign("/signin?signedOut=1");
          } catch {
            setState("failed");
          }
        }}
      >
        {state === "pending" ? "Signing out…" : children}
      </button>
      {state === "failed" && (
        <p role="alert" className="px-3 pb-2 text-xs text-state-expired-fg">
          Keyport could not be reached to sign you out. Check your connection and try again.
        </p>
      )}
    </>
  );
}
