import { describe, expect, it } from "vitest";
import type { KeyMaterialEntry } from "@/lib/kms/operations";
import { baselineOf, findDrift, type TrailEvent, type Watch } from "./rules";

/** The rules' edges that a live emulator run does not reach in reasonable time: expiry, and order in the trail. */

const now = new Date("2026-06-01T00:00:00Z");
const past = new Date("2026-05-01T00:00:00Z");
const watch = (baseline: Watch["baseline"] = [], lastState = "Enabled"): Watch => ({ baseline, lastState, observedAt: past });
const entry = (id: string, importState: string, validTo: Date | null): KeyMaterialEntry => ({
  keyMaterialId: id,
  state: "CURRENT",
  importState,
  expirationModel: validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE",
  validTo,
  description: null,
  rotationDate: null,
  rotationType: null,
});
const imported = (seq: number, keyMaterialId: string | null, validTo: Date | null): TrailEvent => ({ seq, action: "import.imported", keyMaterialId, validTo });
const deleted = (seq: number, keyMaterialId: string | null): TrailEvent => ({ seq, action: "material.deleted", keyMaterialId, validTo: undefined });

describe("drift rules", () => {
  it("takes material that expired at its ValidTo for expiry, not for a deletion outside Keyport", () => {
    const materials = [entry("m1", "PENDING_IMPORT", past)];
    expect(findDrift({ keyState: "PendingImport", validTo: null, materials }, [imported(1, "m1", past)], watch(), now)).toEqual([]);
    expect(findDrift({ keyState: "PendingImport", validTo: null, materials: null }, [imported(1, null, past)], watch(), now)).toEqual([]);
  });

  it("reads an asymmetric key's trail in order: material after Keyport's own deletion is drift, adopted material is not", () => {
    const holding = { keyState: "Enabled", validTo: null, materials: null };
    expect(findDrift(holding, [imported(1, null, null), deleted(2, null)], watch(), now)).toMatchObject([{ kind: "material_not_imported", fingerprint: "current:after:2" }]);
    expect(findDrift(holding, [imported(1, null, null), deleted(2, null), imported(3, null, null)], watch(), now)).toEqual([]);
    const adopted = baselineOf(holding, false);
    expect(findDrift(holding, [], watch(adopted), now)).toEqual([]);
    expect(baselineOf(holding, true)).toEqual([]);
  });

  it("does not compare a ValidTo the trail did not record (a rotation's import)", () => {
    const materials = [entry("m1", "IMPORTED", now)];
    expect(findDrift({ keyState: "Enabled", validTo: now, materials }, [{ ...imported(1, "m1", null), validTo: undefined }], watch(), now)).toEqual([]);
  });
});
