import { ROLES, type Role } from "@/lib/config/roles";

/**
 * Who may do what: the ONLY place in Keyport that says so. Every server action and route handler declares
 * one of these permissions (lib/auth/guard.ts), and the authorization test calls each of them with every
 * role that is missing here to prove it is refused.
 *
 * Admins hold every permission, but that does not let them bypass dual control: "the requester and the
 * uploader cannot approve" is a workflow rule checked by lib/imports on every approval, for admins too.
 *
 * Pure (no server-only): the UI may use it to hide what a person cannot do — the server still checks.
 */
export const PERMISSIONS = {
  /** See the inventory of EXTERNAL keys. */
  "keys.read": ["custodian", "approver", "auditor", "admin"],
  /** Start a refresh of the key inventory (it costs KMS calls in every account and Region). */
  "inventory.refresh": ["custodian", "admin"],
  /** See import requests, their state and history. */
  "imports.read": ["custodian", "approver", "auditor", "admin"],
  /**
   * Start an import and upload the wrapped blob. Reissuing parameters and cancelling also need it, and are
   * further kept to the request's own requester (lib/imports/permissions.ts) unless one holds `imports.manage`.
   */
  "imports.request": ["custodian", "admin"],
  /**
   * Cancel or reissue a request someone else started. Reissuing discards the uploaded blob and its approvals,
   * so another custodian must not be able to undo a request they do not own; an admin can, to clear one whose
   * requester has gone.
   */
  "imports.manage": ["admin"],
  /** Download the wrapping public key and import token. */
  "imports.download": ["custodian", "admin"],
  /** Approve or reject an import or a deletion of key material (never one's own: see lib/imports). */
  "imports.approve": ["approver", "admin"],
  /**
   * Verify imported key material again. It calls KMS in the key's account (Encrypt/Decrypt, GenerateMac or
   * GetPublicKey), so it belongs to those who act on imports, not to auditors, who only read.
   */
  "imports.verify": ["custodian", "approver", "admin"],
  /** Ask for imported key material to be deleted (needs the same quorum as an import). */
  "material.delete.request": ["custodian", "admin"],
  /**
   * Set or clear a key's or an account's schedule (reimport before ValidTo, new material every N days) and
   * start a scheduled reimport in one click: for those who act on key material, as imports are.
   */
  "schedules.manage": ["custodian", "admin"],
  /**
   * Break glass: delete a key's imported material in every Region of its set at once, WITHOUT a second person
   * (lib/imports/workflow/break-glass.ts). It makes the key unusable at once, for an incident that cannot wait
   * for an approver, so it bypasses the one rule everything else keeps. Admins only, and only while an operator
   * has turned it on (KEYPORT_BREAK_GLASS=enabled): with the setting off the server refuses it even to admins.
   * It is never silent: audited with a mandatory reason, announced by a notification, and the key shows it in red
   * until material is imported again under dual control.
   */
  break_glass: ["admin"],
  /**
   * Export the pending-imports lists (keys waiting for material, open requests with who downloaded what,
   * material expiring) as CSV or JSON: evidence for those who review dual control, not for those who act.
   */
  "imports.export": ["auditor", "admin"],
  /**
   * Acknowledge a change made in KMS outside Keyport (lib/drift), with a comment saying why it is accepted:
   * reviewing dual control, like the exports, not acting on keys.
   */
  "drift.acknowledge": ["auditor", "admin"],
  /** Read the audit trail. */
  "audit.read": ["auditor", "admin"],
  /** Export the audit trail as CSV or JSON Lines. */
  "audit.export": ["auditor", "admin"],
  /** Verify the hash chain of the audit trail. */
  "audit.verify": ["auditor", "admin"],
  /** See Keyport's configuration: targets, policy, identity-provider settings (never secrets). */
  "config.read": ["admin"],
  /** See who is signed in, and end someone's session (it is refused from the next request on). */
  "sessions.manage": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: unknown): value is Permission {
  return typeof value === "string" && Object.hasOwn(PERMISSIONS, value);
}

/** The roles that hold `permission`. */
export function rolesWith(permission: Permission): readonly Role[] {
  return PERMISSIONS[permission];
}

/** The roles that do NOT hold `permission` (what the authorization test tries). */
export function rolesWithout(permission: Permission): Role[] {
  const holders: readonly Role[] = PERMISSIONS[permission];
  return ROLES.filter((role) => !holders.includes(role));
}

/** Whether someone holding `roles` may use `permission`. */
export function can(roles: readonly Role[], permission: Permission): boolean {
  const holders: readonly Role[] = PERMISSIONS[permission];
  return roles.some((role) => holders.includes(role));
}

/** Every permission someone holding `roles` has. */
export function permissionsOf(roles: readonly Role[]): Permission[] {
  return PERMISSION_NAMES.filter((permission) => can(roles, permission));
}

export const ROLE_LABELS: Record<Role, string> = {
  custodian: "Custodian",
  approver: "Approver",
  auditor: "Auditor",
  admin: "Admin",
};

/** One line per role, for the sign-in and no-access pages. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  custodian: "Starts imports, downloads import parameters and uploads wrapped key material.",
  approver: "Reviews and approves or rejects imports requested by someone else.",
  auditor: "Reads pending imports and the full history; verifies and exports the audit trail.",
  admin: "Sees configuration and can do everything — except approve their own requests.",
};

/** Roles in their canonical order, without repeats. */
export function sortRoles(roles: Iterable<Role>): Role[] {
  const set = new Set(roles);
  return ROLES.filter((role) => set.has(role));
}
