"use client";

import { signIn, signOut } from "next-auth/react";
import { useState } from "react";
import { Avatar } from "@/components/app-shell/avatar";
import { Badge } from "@/components/ui/badge";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import type { Role } from "@/lib/config/schema";
import { Alert } from "@/components/ui/alert";

type Person = { id: string; name: string; email: string; roles: Role[]; about: string };

/**
 * The demo people as cards; a click signs in as that person. Uses next-auth's client `signIn` (a fetch
 * with its CSRF token): a plain form post would be answered with a redirect the CSP's form-action refuses
 * to follow when next-auth's base URL differs from the page's origin.
 */
export function DemoPeople({ people, callbackPath, signedInAs }: { people: Person[]; callbackPath: string; signedInAs: string | null }) {
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function signInAs(person: Person) {
    setPending(person.id);
    setError(null);
    try {
      // Switching people: end the current session first, so the trail shows a sign-out and a sign-in.
      if (signedInAs) await signOut({ redirect: false });
      const result = await signIn("demo", { personId: person.id, redirect: false });
      if (!result?.ok || result.error) throw new Error(result?.error ?? "no result");
      // A full load, so the server renders the destination for the new session (no cached pages of the old one).
      window.location.assign(callbackPath);
    } catch {
      setError(`${person.name} could not be signed in. Try again.`);
      setPending(null);
    }
  }

  return (
    <>
      {error && (
        <Alert tone="danger" className="mt-6">
          {error}
        </Alert>
      )}
      <p aria-live="polite" className="sr-only">
        {pending ? `Signing in as ${people.find((p) => p.id === pending)?.name ?? ""}…` : ""}
      </p>
      <ul aria-label="Demo people" className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {people.map((person) => {
          const current = person.id === signedInAs;
          const roles = person.roles.map((r) => ROLE_LABELS[r]).join(", ");
          return (
            <li key={person.id}>
              <button
                type="button"
                disabled={pending !== null}
                onClick={() => signInAs(person)}
                aria-label={`Sign in as ${person.name}, ${roles}`}
                aria-describedby={`${person.id}-about`}
                className={`group flex h-full w-full flex-col rounded-card bg-white p-4 text-left shadow-card ring-1 transition hover:ring-2 hover:ring-accent-500 disabled:cursor-wait disabled:hover:ring-1 ${
                  current ? "ring-2 ring-accent-500" : "ring-ink-200"
                } ${pending !== null && pending !== person.id ? "opacity-60" : ""}`}
              >
                <span className="flex items-center gap-3">
                  <Avatar name={person.name} />
                  <span className="min-w-0">
                    <span className="block truncate font-semibold text-ink-900">{person.name}</span>
                    <span className="block truncate font-mono text-xs text-ink-500">{person.email}</span>
                  </span>
                </span>
                <span className="mt-3 flex flex-wrap gap-1.5">
                  {person.roles.map((role) => (
                    <Badge key={role} tone="accent" dot={false}>
                      {ROLE_LABELS[role]}
                    </Badge>
                  ))}
                  {current && <Badge tone="enabled">Signed in</Badge>}
                </span>
                <span id={`${person.id}-about`} className="mt-3 block flex-1 text-sm leading-5 text-ink-600">
                  {person.about}
                </span>
                <span className="mt-4 text-sm font-medium text-accent-700 group-hover:text-accent-800 group-disabled:text-ink-500">
                  {pending === person.id ? "Signing in…" : current ? "Sign in again →" : `Sign in as ${person.name.split(" ")[0]} →`}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </>
  );
}
