import { describe, expect, it } from "vitest";
import { z } from "zod";
import { auditExportQuerySchema, auditPageQuerySchema } from "@/lib/audit/schemas";
import { cancelRequestSchema, decisionSchema, requestDeletionSchema, startImportSchema } from "@/lib/imports/schemas";
import { keysQuerySchema } from "@/lib/inventory/schemas";
import { controlCharacterAt, isCalendarDay, one, text } from "./index";

const issues = (result: { success: boolean; error?: z.ZodError }) => result.error?.issues.map((i) => [i.path.join("."), i.message]) ?? [];

const key = { target: "payments-production", region: "eu-west-1", keyId: "0d9f2b9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b" };
const start = {
  ...key,
  wrappingAlgorithm: "RSAES_OAEP_SHA_256",
  wrappingKeySpec: "RSA_4096",
  expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
  justification: "Quarterly rotation of the settlement KEK, ticket CHG-4821.",
};
const SHA = "a".repeat(64);
const decision = { requestId: "7f6c8b2e-3d6a-4c1b-9a0e-2b7f1d9c4e5a", decision: "approve", blobSha256: SHA, confirmed: "on" };

describe("text a person sends", () => {
  it("finds control characters and lone surrogates, 1-based in characters", () => {
    expect(controlCharacterAt("ok\u0000")).toEqual({ position: 3, codePoint: 0 });
    expect(controlCharacterAt("ab\uD800c")).toEqual({ position: 3, codePoint: 0xd800 });
    expect(controlCharacterAt("\uDC00")).toEqual({ position: 1, codePoint: 0xdc00 });
    expect(controlCharacterAt("😀\u007F")).toEqual({ position: 2, codePoint: 0x7f }); // a surrogate pair is one character
    expect(controlCharacterAt("a\u0085")).toEqual({ position: 2, codePoint: 0x85 });
    expect(controlCharacterAt("line\nnext")).toEqual({ position: 5, codePoint: 10 });
    expect(controlCharacterAt("line\r\nnext\tcol", { multiline: true })).toBeNull();
    expect(controlCharacterAt("Zoë 😀 中文")).toBeNull();
    expect(issues(text().safeParse("a\u0000b"))).toEqual([["", "Remove the control character at position 2 (U+0000); it cannot be stored."]]);
  });

  it("is refused in a justification, a reason, a comment, before anything reaches the database", () => {
    const nul = startImportSchema.safeParse({ ...start, justification: "Rotation of the KEK\u0000 per CHG-4821" });
    expect(issues(nul)).toEqual([["justification", "Remove the control character at position 20 (U+0000); it cannot be stored."]]);
    const surrogate = requestDeletionSchema.safeParse({ ...key, justification: "Retire this key \uD800 now please" });
    expect(issues(surrogate)).toEqual([["justification", "Remove the control character at position 17 (U+D800); it cannot be stored."]]);
    expect(issues(cancelRequestSchema.safeParse({ requestId: decision.requestId, reason: "wrong\u001b[31m key" }))[0]?.[0]).toBe("reason");
    expect(issues(decisionSchema.safeParse({ ...decision, decision: "reject", comment: "no\u0007" }))[0]).toEqual([
      "comment",
      "Remove the control character at position 3 (U+0007); it cannot be stored.",
    ]);
    // A text area's line breaks are fine.
    expect(startImportSchema.safeParse({ ...start, justification: "Rotation per CHG-4821.\r\nSecond line\twith a tab." }).success).toBe(true);
  });

  it("is refused in the audit filters and dropped from the keys page's", () => {
    expect(issues(auditPageQuerySchema.safeParse({ person: "alice\u0000" }))).toEqual([
      ["person", "Remove the control character at position 6 (U+0000); it cannot be stored."],
    ]);
    expect(auditExportQuerySchema.safeParse({ format: "csv", key: "alias/x\uD800" }).success).toBe(false);
    expect(keysQuerySchema.parse({ q: "pay\u0000ments", target: "a\uDFFF" })).toMatchObject({ q: undefined, target: undefined });
  });
});

describe("dates a person gives", () => {
  it("exist: no rollover into the next month", () => {
    expect(isCalendarDay("2028-02-29")).toBe(true);
    expect(isCalendarDay("2027-02-29")).toBe(false);
    expect(isCalendarDay("2027-02-31")).toBe(false);
    expect(isCalendarDay("2027-13-01")).toBe(false);
  });

  it("ValidTo 2027-02-31 is refused, not stored as 3 March", () => {
    for (const validTo of ["2027-02-31", "2027-04-31", "2027-02-29", "2027-02-31T00:00:00Z", "2027-00-10"]) {
      const result = startImportSchema.safeParse({ ...start, expirationModel: "KEY_MATERIAL_EXPIRES", validTo });
      expect(issues(result), validTo).toEqual([["validTo", "Give a date that exists, such as 2026-12-31."]]);
    }
    const ok = startImportSchema.parse({ ...start, expirationModel: "KEY_MATERIAL_EXPIRES", validTo: "2028-02-29" });
    expect(ok.validTo?.toISOString()).toBe("2028-02-29T00:00:00.000Z");
  });
});

describe("one value for one field", () => {
  it("refuses a decision that is both approve and reject instead of picking the first", () => {
    const both = decisionSchema.safeParse({ ...decision, decision: ["approve", "reject"], comment: "fine" });
    expect(issues(both)).toEqual([["decision", "Give one value here, not 2."]]);
    expect(decisionSchema.safeParse({ ...decision, decision: ["approve"] }).success).toBe(true);
  });

  it("refuses repeated fields in every action's input", () => {
    expect(issues(startImportSchema.safeParse({ ...start, keyId: [key.keyId, "1d9f2b9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"] }))).toEqual([["keyId", "Give one value here, not 2."]]);
    expect(issues(startImportSchema.safeParse({ ...start, justification: [start.justification, "another justification"] }))[0]?.[0]).toBe("justification");
    expect(issues(decisionSchema.safeParse({ ...decision, confirmed: ["on", "off"] }))[0]?.[0]).toBe("confirmed");
    expect(issues(auditExportQuerySchema.safeParse({ format: "csv", person: ["alice", "bob"] }))).toEqual([["person", "Give one value here, not 2."]]);
    expect(issues(z.object({ a: one(z.string()) }).safeParse({ a: [] }))).toEqual([["a", "Give one value here, not 0."]]);
  });
});
