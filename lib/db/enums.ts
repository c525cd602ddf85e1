/**
 * Values of the database enums, as plain constants: the schema builds its pgEnums from them, and domain code
 * that must run in the browser too (lib/imports/states.ts) imports them without pulling in drizzle.
 */

/** The import request states (lib/imports/README.md, "States"). Transitions are enforced by lib/imports, not by the database. */
export const IMPORT_REQUEST_STATES = [
  "draft",
  "parameters_issued",
  "awaiting_approval",
  "importing",
  "imported",
  "failed",
  "rejected",
  "expired",
  "cancelled",
] as const;

export const IMPORT_REQUEST_KINDS = ["import", "delete_material", "rotate"] as const;
