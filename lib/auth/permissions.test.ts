import { describe, expect, it } from "vitest";
import { ROLES, type Role } from "@/lib/config/schema";
import { PERMISSION_NAMES, PERMISSIONS, can, isPermission, permissionsOf, rolesWith, rolesWithout, sortRoles } from "./permissions";

describe("the permission table", () => {
  it("names only known roles, each at most once, and every permission has a holder", () => {
    for (const [permission, holders] of Object.entries(PERMISSIONS)) {
      expect(holders.length, permission).toBeGreaterThan(0);
      expect(new Set(holders).size, permission).toBe(holders.length);
      for (const role of holders) expect(ROLES).toContain(role);
    }
  });

  it("gives admins every permission", () => {
    expect(permissionsOf(["admin"])).toEqual(PERMISSION_NAMES);
  });

  // The table as the design describes it, spelled out so a change to who may do what is a visible diff here too.
  it.each<[Role, string[]]>([
    ["custodian", ["keys.read", "inventory.refresh", "imports.read", "imports.request", "imports.download", "imports.verify", "material.delete.request", "schedules.manage"]],
    ["approver", ["keys.read", "imports.read", "imports.approve", "imports.verify"]],
    ["auditor", ["keys.read", "imports.read", "imports.export", "drift.acknowledge", "audit.read", "audit.export", "audit.verify"]],
  ])("a %s may do exactly what the design says", (role, expected) => {
    expect(permissionsOf([role])).toEqual(expected);
  });

  it("keeps approving away from custodians and requesting away from approvers and auditors", () => {
    expect(can(["custodian"], "imports.approve")).toBe(false);
    expect(can(["approver"], "imports.request")).toBe(false);
    expect(can(["auditor"], "imports.request")).toBe(false);
    expect(can(["auditor"], "imports.download")).toBe(false);
    expect(can(["approver"], "audit.export")).toBe(false);
    expect(rolesWith("imports.export")).toEqual(["auditor", "admin"]);
    expect(rolesWith("config.read")).toEqual(["admin"]);
    // Auditors only read: verification makes KMS calls in the key's account.
    expect(can(["auditor"], "imports.verify")).toBe(false);
    // Only admins act on requests someone else started.
    expect(rolesWith("imports.manage")).toEqual(["admin"]);
    // Deleting material without a second person is an admin's emergency measure alone.
    expect(rolesWith("break_glass")).toEqual(["admin"]);
  });

  it("adds up several roles, and grants nothing to no role", () => {
    expect(can(["custodian", "auditor"], "audit.verify")).toBe(true);
    expect(can(["custodian", "auditor"], "imports.approve")).toBe(false);
    expect(permissionsOf([])).toEqual([]);
    expect(PERMISSION_NAMES.some((p) => can([], p))).toBe(false);
  });

  it("lists the roles without a permission (what the authorization test tries)", () => {
    expect(rolesWithout("imports.approve")).toEqual(["custodian", "auditor"]);
    expect(rolesWithout("keys.read")).toEqual([]);
  });

  it("recognises permission names and nothing else", () => {
    expect(isPermission("audit.read")).toBe(true);
    expect(isPermission("audit.delete")).toBe(false);
    expect(isPermission("toString")).toBe(false);
    expect(isPermission(undefined)).toBe(false);
  });

  it("orders roles canonically without repeats", () => {
    expect(sortRoles(["admin", "custodian", "admin", "approver"])).toEqual(["custodian", "approver", "admin"]);
  });
});
