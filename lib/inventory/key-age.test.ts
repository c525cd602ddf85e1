import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { ageBucket, keyAge, ON_DEMAND_ROTATION_LIMIT, rotationsText, type KeyAgeInput } from "./key-age";
import { KEY_AGE_CSV_COLUMNS, keyAgeCsv } from "./key-age-csv";
import { summariseMaterial } from "./material-summary";

/** The key-age report's arithmetic, without a database or KMS. */

const DAY_MS = 24 * 3600_000;
const NOW = Date.parse("2026-12-02T12:00:00Z");
const daysAgo = (days: number) => new Date(NOW - days * DAY_MS);
const M1 = "1".repeat(64);
const M2 = "2".repeat(64);

const symmetric = (over: Partial<KeyAgeInput> = {}): KeyAgeInput => ({
  keySpec: "SYMMETRIC_DEFAULT",
  keyState: "Enabled",
  creationDate: daysAgo(400),
  expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
  validTo: null,
  currentKeyMaterialId: M2,
  summary: { keyMaterialId: M2, currentSince: daysAgo(30), onDemandRotations: 3 },
  ...over,
});

describe("keyAge", () => {
  it("dates rotated material by its rotation, and counts the rotations KMS still allows", () => {
    expect(keyAge(symmetric(), NOW)).toEqual({
      since: daysAgo(30),
      sinceSource: "rotation",
      ageDays: 30,
      bucket: "under-90d",
      nextValidTo: null,
      rotations: { kind: "left", left: ON_DEMAND_ROTATION_LIMIT - 3, used: 3 },
    });
  });

  it("bounds a first material by the key's creation, which KMS does not date otherwise", () => {
    const age = keyAge(symmetric({ summary: { keyMaterialId: M2, currentSince: null, onDemandRotations: 0 } }), NOW);
    expect(age).toMatchObject({ since: daysAgo(400), sinceSource: "key_created", ageDays: 400, bucket: "over-1y", rotations: { kind: "left", left: 10 } });
  });

  it("does not trust a summary of other material (the key rotated since the refresh read it)", () => {
    const age = keyAge(symmetric({ summary: { keyMaterialId: M1, currentSince: daysAgo(5), onDemandRotations: 1 } }), NOW);
    expect(age).toMatchObject({ sinceSource: "key_created", ageDays: 400, rotations: { kind: "unknown" } });
    expect(rotationsText(age.rotations)).toBe("not read yet");
  });

  it("gives a key without material no age, and rotation no meaning for keys that hold one material for life", () => {
    expect(keyAge(symmetric({ keyState: "PendingImport" }), NOW)).toMatchObject({ since: null, ageDays: null, bucket: "no-material" });
    const rsa = keyAge({ ...symmetric({ keySpec: "RSA_2048", summary: null, currentKeyMaterialId: null }), creationDate: daysAgo(120) }, NOW);
    expect(rsa).toMatchObject({ ageDays: 120, bucket: "90d-1y", rotations: { kind: "not_applicable" } });
    expect(rotationsText(rsa.rotations)).toBe("n/a");
  });

  it("names the next ValidTo only for material that expires", () => {
    const validTo = new Date(NOW + 10 * DAY_MS);
    expect(keyAge(symmetric({ expirationModel: "KEY_MATERIAL_EXPIRES", validTo }), NOW).nextValidTo).toEqual(validTo);
    expect(keyAge(symmetric({ validTo }), NOW).nextValidTo).toBeNull();
  });

  it("never counts below zero rotations left", () => {
    expect(keyAge(symmetric({ summary: { keyMaterialId: M2, currentSince: daysAgo(1), onDemandRotations: 12 } }), NOW).rotations).toEqual({ kind: "left", left: 0, used: 12 });
  });
});

describe("ageBucket", () => {
  it("puts each boundary day in the older bucket", () => {
    expect([0, 89, 90, 364, 365, 3650].map(ageBucket)).toEqual(["under-90d", "under-90d", "90d-1y", "90d-1y", "over-1y", "over-1y"]);
    expect(ageBucket(null)).toBe("no-material");
  });
});

describe("summariseMaterial", () => {
  it("takes the current material's rotation date and counts on-demand rotations", () => {
    const entry = { importState: "IMPORTED", expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE", validTo: null, description: null };
    const summary = summariseMaterial(M2, [
      { ...entry, keyMaterialId: M1, state: "NON_CURRENT", rotationDate: null, rotationType: null },
      { ...entry, keyMaterialId: M2, state: "CURRENT", rotationDate: daysAgo(30), rotationType: "ON_DEMAND" },
    ]);
    expect(summary).toEqual({ keyMaterialId: M2, currentSince: daysAgo(30), onDemandRotations: 1 });
    expect(summariseMaterial(M1, [{ ...entry, keyMaterialId: M1, state: "CURRENT", rotationDate: null, rotationType: null }])).toEqual({
      keyMaterialId: M1,
      currentSince: null,
      onDemandRotations: 0,
    });
  });
});

describe("keyAgeCsv", () => {
  it("writes one row per key with ISO times, and escapes what a spreadsheet would run", () => {
    const csv = keyAgeCsv([
      {
        accountName: "=HYPERLINK(\"x\")",
        accountId: "222222222222",
        region: "eu-west-1",
        keyId: "k1",
        alias: "alias/payments",
        keySpec: "SYMMETRIC_DEFAULT",
        keyState: "Enabled",
        age: keyAge(symmetric(), NOW),
        lastImport: { at: daysAgo(2), by: "Casey Nakamura" },
      },
    ]);
    expect(csv).toContain("\r\n");
    const [row, ...rest] = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(rest).toEqual([]);
    expect(Object.keys(row!)).toEqual([...KEY_AGE_CSV_COLUMNS]);
    expect(row).toMatchObject({
      account: "'=HYPERLINK(\"x\")",
      materialSince: daysAgo(30).toISOString(),
      materialSinceSource: "rotation",
      ageDays: "30",
      ageBucket: "under-90d",
      lastImportAt: daysAgo(2).toISOString(),
      lastImportBy: "Casey Nakamura",
      nextValidTo: "",
      rotationsLeft: "7",
    });
  });
});
