import { describe, expect, it } from "vitest";
import { isValidSessionName, sessionNameFor } from "./session-name";

describe("sessionNameFor", () => {
  it.each([
    ["casey.custodian@demo.keyport", "casey.custodian@demo.keyport"],
    ["Zoë Ångström <zoe@example.com>", "Zoe_Angstrom__zoe@example.com"],
    ["okta|00u1abcd", "okta_00u1abcd"],
    ["aws:root", "aws_root"],
    ["user name+tag=1,2", "user_name+tag=1,2"],
  ])("keeps %j recognisable as %j", (input, expected) => {
    expect(sessionNameFor(input)).toBe(expected);
    expect(isValidSessionName(sessionNameFor(input))).toBe(true);
  });

  it("pads names that would be too short", () => {
    const name = sessionNameFor("é");
    expect(name).toMatch(/^user-[0-9a-f]{8}$/);
    expect(isValidSessionName(name)).toBe(true);
  });

  it("shortens long names to 64 characters without making two of them collide", () => {
    const a = sessionNameFor(`${"a".repeat(70)}@example.com`);
    const b = sessionNameFor(`${"a".repeat(70)}@example.org`);
    expect(a).toHaveLength(64);
    expect(b).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(isValidSessionName(a)).toBe(true);
  });

  it("is deterministic, so CloudTrail shows one name per person", () => {
    expect(sessionNameFor("sam@example.com")).toBe(sessionNameFor("sam@example.com"));
  });

  it.each(["a", "x".repeat(65), "has space", "aws:thing", "semi;colon"])("recognises %j as invalid", (name) => {
    expect(isValidSessionName(name)).toBe(false);
  });
});
