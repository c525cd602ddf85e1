import type { Role } from "@/lib/config/schema";

/**
 * The people a visitor can be in demo mode. Their roles are fixed here, in code: demo mode has no identity
 * provider to ask. In production these people cannot sign in — the credentials provider that knows them is
 * not registered (lib/auth/options.ts), and it refuses anyway unless the mode is demo.
 *
 * Two custodians and two approvers, so dual control can be tried: one custodian requests, the other
 * uploads, an approver who did neither approves.
 */
export type DemoPerson = {
  /** Stable: the session subject and audit actor. */
  id: string;
  name: string;
  email: string;
  roles: readonly Role[];
  /** What they do, in a sentence, for the sign-in page. */
  about: string;
};

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  {
    id: "demo-casey",
    name: "Casey Nakamura",
    email: "casey.custodian@demo.keyport",
    roles: ["custodian"],
    about: "Key custodian on the payments team. Starts imports and wraps key material on the team's HSM.",
  },
  {
    id: "demo-devon",
    name: "Devon Okafor",
    email: "devon.custodian@demo.keyport",
    roles: ["custodian"],
    about: "Second custodian. Can upload material for an import Casey started.",
  },
  {
    id: "demo-avery",
    name: "Avery Lindqvist",
    email: "avery.approver@demo.keyport",
    roles: ["approver"],
    about: "Security officer. Reviews pending imports and approves or rejects them.",
  },
  {
    id: "demo-blake",
    name: "Blake Moreau",
    email: "blake.approver@demo.keyport",
    roles: ["approver"],
    about: "Second security officer, for a quorum of two.",
  },
  {
    id: "demo-riley",
    name: "Riley Fernandes",
    email: "riley.auditor@demo.keyport",
    roles: ["auditor"],
    about: "Internal audit. Reads the history, verifies the audit chain and exports evidence.",
  },
  {
    id: "demo-morgan",
    name: "Morgan Achterberg",
    email: "morgan.admin@demo.keyport",
    roles: ["admin"],
    about: "Platform administrator. Sees configuration; still cannot approve their own requests.",
  },
];

export function findDemoPerson(id: unknown): DemoPerson | undefined {
  return typeof id === "string" ? DEMO_PEOPLE.find((p) => p.id === id) : undefined;
}

/** The first demo person holding `role` (the one e2e storage states and quick links use). */
export function demoPersonFor(role: Role): DemoPerson {
  const person = DEMO_PEOPLE.find((p) => p.roles.includes(role));
  if (!person) throw new Error(`No demo person holds the ${role} role`);
  return person;
}
