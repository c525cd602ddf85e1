import { describe, expect, it } from "vitest";
import { isPrimary, regionDifferences, regionRole, type RegionKey } from "./multi-region";

const key = (region: string, over: Partial<RegionKey> = {}): RegionKey => ({
  region,
  keyState: "Enabled",
  expirationModel: "KEY_MATERIAL_EXPIRES",
  validTo: new Date("2027-06-01T00:00:00Z"),
  primaryRegion: "eu-west-1",
  ...over,
});

describe("regionDifferences", () => {
  it("says nothing of a single Region, or of Regions that agree", () => {
    expect(regionDifferences([key("eu-west-1")])).toEqual([]);
    expect(regionDifferences([key("eu-west-1"), key("us-east-1", { validTo: new Date("2027-06-01T17:00:00Z") })])).toEqual([]);
  });

  it("names the Regions away from the common state, and the Region that expires first", () => {
    const set = [
      key("eu-west-1"),
      key("us-east-1", { validTo: new Date("2027-01-10T00:00:00Z") }),
      key("eu-central-1", { keyState: "PendingImport", expirationModel: null, validTo: null }),
    ];
    expect(regionDifferences(set)).toEqual(["eu-central-1 is waiting for key material", "us-east-1 expires first"]);
  });

  it("counts material that never expires against dated material as a difference", () => {
    const set = [key("eu-west-1"), key("us-east-1", { expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", validTo: null })];
    expect(regionDifferences(set)).toEqual(["eu-west-1 expires first"]);
  });

  it("groups several Regions in one state", () => {
    const set = [key("eu-west-1"), key("us-east-1"), key("eu-central-1", { keyState: "Disabled" }), key("ap-south-1", { keyState: "Disabled" })];
    // Two and two: the tie goes to the state first by name (Disabled), so the Enabled Regions are named.
    expect(regionDifferences(set)).toEqual(["eu-west-1, us-east-1 are enabled"]);
  });
});

describe("isPrimary", () => {
  it("is the Region the set names as primary", () => {
    expect(isPrimary(key("eu-west-1"))).toBe(true);
    expect(isPrimary(key("us-east-1"))).toBe(false);
    expect(isPrimary(key("us-east-1", { primaryRegion: null }))).toBe(false);
    expect([regionRole(key("eu-west-1")), regionRole(key("us-east-1")), regionRole(key("us-east-1", { primaryRegion: null }))]).toEqual(["Primary", "Replica", null]);
  });
});
