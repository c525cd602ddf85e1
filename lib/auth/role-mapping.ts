import type { Role, RoleMap } from "@/lib/config/schema";
import { sortRoles } from "./permissions";

/**
 * Turns what the identity provider says about a person into Keyport roles, once, at sign-in:
 * - every group in the groups claim that `KEYPORT_ROLE_MAP` names gives its roles. Group names match
 *   exactly, case included: identity providers treat them as identifiers (Entra ID even sends object ids),
 *   and a near-miss must not grant a role;
 * - the person's e-mail address, compared case-insensitively, gives the roles `KEYPORT_EMAIL_ROLES` names —
 *   unless the provider says the address is NOT verified (`email_verified: false`), since an unverified
 *   address may belong to someone else. Providers that do not send `email_verified` are trusted.
 * Unknown groups are ignored. No match means no role: the person can sign in but sees "no access".
 */
export type RoleMaps = { roleMap: RoleMap; emailRoles: RoleMap };

export type Identity = { groups: readonly string[]; email: string | null; emailVerified: boolean | undefined };

export function rolesFor(identity: Identity, maps: RoleMaps): Role[] {
  const roles: Role[] = [];
  for (const group of identity.groups) {
    if (Object.hasOwn(maps.roleMap, group)) roles.push(...(maps.roleMap[group] ?? []));
  }
  const email = identity.email?.trim().toLowerCase();
  if (email && identity.emailVerified !== false) {
    for (const [address, granted] of Object.entries(maps.emailRoles)) {
      if (address.trim().toLowerCase() === email) roles.push(...granted);
    }
  }
  return sortRoles(roles);
}

/**
 * The groups in a claim value: providers send an array of strings (Okta, Keycloak, Entra ID), a few send a
 * single string. Anything else (numbers, objects, Entra's "_claim_names" overage marker) is not a group.
 */
export function groupsFromClaim(value: unknown): string[] {
  if (typeof value === "string") return value.trim() ? [value.trim()] : [];
  if (!Array.isArray(value)) return [];
  return value.filter((g): g is string => typeof g === "string" && g.trim() !== "").map((g) => g.trim());
}

/** The identity in a set of OpenID Connect claims (ID token merged with UserInfo). */
export function identityFromClaims(claims: Record<string, unknown>, groupsClaim: string): Identity {
  const email = typeof claims.email === "string" && claims.email.trim() ? claims.email.trim() : null;
  const verified = claims.email_verified;
  return {
    groups: groupsFromClaim(claims[groupsClaim]),
    email,
    // Some providers send "true"/"false" as strings.
    emailVerified: verified === true || verified === "true" ? true : verified === false || verified === "false" ? false : undefined,
  };
}
