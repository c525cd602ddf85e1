import { describe, expect, it } from "vitest";
import { groupsFromClaim, identityFromClaims, rolesFor, type Identity, type RoleMaps } from "./role-mapping";

const maps: RoleMaps = {
  roleMap: { "kms-custodians": ["custodian"], "kms-approvers": ["approver"], "security-office": ["approver", "auditor"] },
  emailRoles: { "Ada.Admin@Example.com": ["admin"], "eve@example.com": ["auditor"] },
};

const who = (over: Partial<Identity>): Identity => ({ groups: [], email: null, emailVerified: undefined, ...over });

describe("rolesFor", () => {
  it("maps a group to its role", () => {
    expect(rolesFor(who({ groups: ["kms-custodians"] }), maps)).toEqual(["custodian"]);
  });

  it("adds up several groups and a group with several roles, in canonical order without repeats", () => {
    expect(rolesFor(who({ groups: ["security-office", "kms-approvers", "kms-custodians"] }), maps)).toEqual([
      "custodian",
      "approver",
      "auditor",
    ]);
  });

  it("ignores unknown groups", () => {
    expect(rolesFor(who({ groups: ["marketing", "kms-custodians-old"] }), maps)).toEqual([]);
  });

  it("matches group names exactly, case included", () => {
    expect(rolesFor(who({ groups: ["KMS-Custodians", " kms-custodians"] }), maps)).toEqual([]);
  });

  it("does not treat inherited object keys as groups", () => {
    expect(rolesFor(who({ groups: ["constructor", "__proto__", "toString"] }), maps)).toEqual([]);
  });

  it("maps e-mail addresses case-insensitively, on both sides", () => {
    expect(rolesFor(who({ email: "ADA.admin@example.COM" }), maps)).toEqual(["admin"]);
    expect(rolesFor(who({ email: "  Eve@Example.com " }), maps)).toEqual(["auditor"]);
  });

  it("combines groups and e-mail", () => {
    expect(rolesFor(who({ groups: ["kms-custodians"], email: "eve@example.com" }), maps)).toEqual(["custodian", "auditor"]);
  });

  it("ignores an e-mail the provider says is unverified, but trusts one it says nothing about", () => {
    expect(rolesFor(who({ email: "eve@example.com", emailVerified: false }), maps)).toEqual([]);
    expect(rolesFor(who({ email: "eve@example.com", emailVerified: true }), maps)).toEqual(["auditor"]);
    expect(rolesFor(who({ email: "eve@example.com", emailVerified: undefined }), maps)).toEqual(["auditor"]);
  });

  it("gives no role to someone nothing matches", () => {
    expect(rolesFor(who({ groups: [], email: "nobody@example.com" }), maps)).toEqual([]);
    expect(rolesFor(who({}), { roleMap: {}, emailRoles: {} })).toEqual([]);
  });
});

describe("groupsFromClaim", () => {
  it.each<[string, unknown, string[]]>([
    ["an array of names", ["a", "b"], ["a", "b"]],
    ["a single name", "kms-custodians", ["kms-custodians"]],
    ["a missing claim", undefined, []],
    ["an empty string", " ", []],
    ["mixed junk", ["a", 1, null, { b: 1 }, "", " c "], ["a", "c"]],
    ["an object (e.g. an overage marker)", { src1: "x" }, []],
  ])("reads %s", (_name, value, expected) => {
    expect(groupsFromClaim(value)).toEqual(expected);
  });
});

describe("identityFromClaims", () => {
  it("reads the configured groups claim, the e-mail and whether it is verified", () => {
    expect(identityFromClaims({ sub: "1", email: "a@b.c", email_verified: "false", "cognito:groups": ["g"] }, "cognito:groups")).toEqual({
      groups: ["g"],
      email: "a@b.c",
      emailVerified: false,
    });
    expect(identityFromClaims({ sub: "1", groups: ["g"] }, "roles")).toEqual({ groups: [], email: null, emailVerified: undefined });
  });
});
