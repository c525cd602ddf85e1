"use client";

import { signOut } from "next-auth/react";
import { useState, type ReactNode } from "react";

/**
 * Where the identity provider ends its own session (it comes back to /signin?signedOut=1), asked for before
 * Keyport's session is cleared, since the answer needs it. Null when there is none or it cannot be known:
 * Keyport's sign-out goes ahead either way.
 */
async function identityProviderSignOutUrl(): Promise<string | null> {
  try {
    const response = await fetch("/api/auth/end-session", { method: "POST", cache: "no-store" });
    const body = (await response.json()) as { url?: unknown };
    return response.ok && typeof body.url === "string" ? body.url : null;
  } catch {
    return null;
  }
}

/**
 * Signs out through next-auth (a POST carrying its CSRF token, which clears the session cookie and
 * records the sign-out), then ends the identity provider's session too where it can, and comes back to
 * the sign-in page. `redirect: false` because next-auth would build the
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
            const endSession = await identityProviderSignOutUrl();
            await signOut({ redirect: false });
            // A full load on purpose: it drops the client router's cache of pages rendered for the signed-in person.
            window.location.assign(endSession ?? "/signin?signedOut=1");
          } catch {
            setState("failed");
          }
        }}
      >
        {state === "pending" ? "Signing out…" : children}
      </button>
      {state === "failed" && (
        <p role="alert" className="px-3 pb-2 text-xs text-alert-danger-fg">
          Keyport could not be reached to sign you out. Check your connection and try again.
        </p>
      )}
    </>
  );
}
