"use client";

import { signOut } from "next-auth/react";
import { useState, type ReactNode } from "react";
import { createPortal } from "react-dom";

/** The server's part of signing out (lib/auth/sign-out.ts), as the button reads it. */
type ServerSignOut = { ended: true; url: string | null } | { ended: false; url: string | null; message: string };

const UNREACHABLE =
  "You are signed out of this browser, but Keyport could not be asked to end the session on the server, so a copy of this browser's session cookie may still be accepted. Tell your administrator, who can end it on the Sessions page.";

/**
 * Asks the server to end this session (revoke its record) and where the identity provider ends its own
 * session (it comes back to /signin?signedOut=1). Anything but a confirmed end — an error answer, no answer —
 * is a session not ended, with a sentence to show: the sign-out of this browser goes ahead either way.
 */
async function endSessionOnServer(): Promise<ServerSignOut> {
  try {
    const response = await fetch("/api/auth/end-session", { method: "POST", cache: "no-store" });
    const body = (await response.json()) as { ended?: unknown; url?: unknown; message?: unknown };
    const url = typeof body.url === "string" ? body.url : null;
    if (response.ok && body.ended === true) return { ended: true, url };
    return { ended: false, url, message: typeof body.message === "string" && body.ended === false ? body.message : UNREACHABLE };
  } catch {
    return { ended: false, url: null, message: UNREACHABLE };
  }
}

/**
 * Signs out through next-auth (a POST carrying its CSRF token, which clears the session cookie and
 * records the sign-out), then ends the identity provider's session too where it can, and comes back to
 * the sign-in page. `redirect: false` because next-auth would build the
 * next URL from NEXTAUTH_URL, which demo mode need not set. When the server could not end the session, the
 * person is told so and moves on only when they have read it.
 */
export function SignOutButton({ className, children = "Sign out" }: { className?: string; children?: ReactNode }) {
  const [state, setState] = useState<{ kind: "idle" | "pending" | "failed" } | { kind: "not_ended"; message: string; next: string }>({ kind: "idle" });
  if (state.kind === "not_ended") {
    // On the page itself, not in the menu that holds this button: the menu may close, and this must be read.
    return createPortal(
      <div role="alert" className="fixed inset-x-0 top-0 z-50 border-b border-ink-200 bg-white p-4 text-sm text-alert-danger-fg shadow-lg">
        <div className="mx-auto flex max-w-3xl flex-col gap-3">
          <p>{state.message}</p>
          {/* A full load on purpose, as below. */}
          <a href={state.next} autoFocus className="self-start rounded-md bg-accent-600 px-4 py-2 font-medium text-white hover:bg-accent-700">
            Continue
          </a>
        </div>
      </div>,
      document.body,
    );
  }
  return (
    <>
      <button
        type="button"
        className={className}
        disabled={state.kind === "pending"}
        onClick={async () => {
          setState({ kind: "pending" });
          try {
            const server = await endSessionOnServer();
            await signOut({ redirect: false });
            // Not "?signedOut=1": the sign-in page would say "You have signed out." as if all had gone well.
            if (!server.ended) return setState({ kind: "not_ended", message: server.message, next: server.url ?? "/signin" });
            // A full load on purpose: it drops the client router's cache of pages rendered for the signed-in person.
            window.location.assign(server.url ?? "/signin?signedOut=1");
          } catch {
            setState({ kind: "failed" });
          }
        }}
      >
        {state.kind === "pending" ? "Signing out…" : children}
      </button>
      {state.kind === "failed" && (
        <p role="alert" className="px-3 pb-2 text-xs text-alert-danger-fg">
          Keyport could not be reached to sign you out. Check your connection and try again.
        </p>
      )}
    </>
  );
}
