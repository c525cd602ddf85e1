import { describe, expect, it } from "vitest";
import { compareMaterial, materialGroup } from "./sort";

const key = (keyId: string, keyState: string, expirationModel: string | null, validTo: string | null) => ({
  keyId,
  keyState,
  expirationModel,
  validTo: validTo ? new Date(validTo) : null,
});

describe("the key material column's order", () => {
  it("groups keys the way the column labels them", () => {
    expect(materialGroup(key("a", "PendingImport", null, null))).toBe("none");
    // Material deleted from a key that had non-expiring material: the column says "No material".
    expect(materialGroup(key("a", "PendingImport", "KEY_MATERIAL_DOES_NOT_EXPIRE", null))).toBe("none");
    expect(materialGroup(key("a", "Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE", null))).toBe("never");
    expect(materialGroup(key("a", "Enabled", "KEY_MATERIAL_EXPIRES", "2026-12-03T00:00:00Z"))).toBe("dated");
    // Expired material leaves the key awaiting import, but its date is still what the column shows.
    expect(materialGroup(key("a", "PendingImport", "KEY_MATERIAL_EXPIRES", "2026-11-01T00:00:00Z"))).toBe("dated");
    expect(materialGroup(key("a", "Enabled", null, null))).toBe("none");
  });

  const keys = [
    key("6", "Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE", null),
    key("1", "PendingImport", null, null),
    key("4", "Enabled", "KEY_MATERIAL_EXPIRES", "2027-01-01T00:00:00Z"),
    key("2", "Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE", null),
    key("5", "PendingImport", "KEY_MATERIAL_EXPIRES", "2026-11-01T00:00:00Z"),
    key("3", "Enabled", "KEY_MATERIAL_EXPIRES", "2026-12-03T00:00:00Z"),
    key("0", "PendingImport", null, null),
  ];

  it("ascending: expired and soonest first, then never expires, then no material", () => {
    expect([...keys].sort((a, b) => compareMaterial(a, b, "asc")).map((k) => k.keyId)).toEqual(["5", "3", "4", "2", "6", "0", "1"]);
  });

  it("descending: never expires, then the latest date first; no material stays last", () => {
    expect([...keys].sort((a, b) => compareMaterial(a, b, "desc")).map((k) => k.keyId)).toEqual(["2", "6", "4", "3", "5", "0", "1"]);
  });
});
