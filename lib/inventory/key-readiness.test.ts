import { describe, expect, it } from "vitest";
import { importBlockedBy, rotationBlockedBy } from "./key-readiness";
import { KEY_STATES } from "./schemas";

describe("importBlockedBy", () => {
  it("lets the states KMS imports into through", () => {
    for (const state of ["PendingImport", "Enabled", "Disabled"]) expect(importBlockedBy(state)).toBeNull();
  });

  it("says why for every other state KMS reports, including a new replica's Creating", () => {
    const blocked = KEY_STATES.filter((s) => !["PendingImport", "Enabled", "Disabled"].includes(s));
    expect(blocked).toEqual(expect.arrayContaining(["Creating", "Updating", "PendingDeletion", "PendingReplicaDeletion", "Unavailable"]));
    for (const state of blocked) expect(importBlockedBy(state)).toMatch(/\.$/);
    expect(importBlockedBy("Creating")).toMatch(/still creating/);
    expect(importBlockedBy("PendingDeletion")).toMatch(/cancel the deletion/);
  });

  it("names a state it does not know rather than guessing", () => {
    expect(importBlockedBy("Quarantined")).toContain("Quarantined");
  });
});

describe("rotationBlockedBy", () => {
  it("lets a single-Region key rotate", () => {
    expect(rotationBlockedBy({ multiRegion: false, primaryRegion: null, region: "eu-west-1" })).toBeNull();
    expect(rotationBlockedBy({ multiRegion: null, primaryRegion: null, region: "eu-west-1" })).toBeNull();
  });

  it("sends a replica's rotation to its primary, and refuses a primary's single-key rotation", () => {
    expect(rotationBlockedBy({ multiRegion: true, primaryRegion: "eu-west-1", region: "us-east-1" })).toMatch(/primary key in eu-west-1/);
    expect(rotationBlockedBy({ multiRegion: true, primaryRegion: "eu-west-1", region: "eu-west-1" })).toMatch(/every one of its Regions/);
  });
});
