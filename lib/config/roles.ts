/** Keyport's roles: a plain list the browser may need (badges, the demo's people) without the config schema's library. */
export const ROLES = ["custodian", "approver", "auditor", "admin"] as const;
export type Role = (typeof ROLES)[number];
