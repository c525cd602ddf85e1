"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";

/** "Sign in with <identity provider>": next-auth starts the OpenID Connect flow (PKCE and state). */
export function ProviderSignIn({ providerName, callbackPath }: { providerName: string; callbackPath: string }) {
  const [state, setState] = useState<"idle" | "pending" | "failed">("idle");
  return (
    <>
      <button
        type="button"
        disabled={state === "pending"}
        onClick={async () => {
          setState("pending");
          try {
            // Leaves the page for the identity provider; it comes back to /api/auth/callback/oidc.
            await signIn("oidc", { callbackUrl: callbackPath });
          } catch {
            setState("failed");
          }
        }}
        className="flex w-full items-center justify-center gap-2 rounded-md bg-accent-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm transition-colors hover:bg-accent-700 disabled:cursor-wait disabled:opacity-70"
      >
        {state === "pending" ? `Opening ${providerName}…` : `Sign in with ${providerName}`}
      </button>
      {state === "failed" && (
        <Alert tone="danger" inline className="mt-3">
          Keyport could not be reached to start sign-in. Check your connection and try again.
        </Alert>
      )}
    </>
  );
}
