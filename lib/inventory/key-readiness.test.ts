import { describe, expect, it } from "vitest";
import { importBlockedBy } from "./key-readiness";
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
