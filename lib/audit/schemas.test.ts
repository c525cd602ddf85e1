import { describe, expect, it } from "vitest";
import { auditExportQuerySchema, auditPageQuerySchema, auditQueryString, isCalendarDay, parseKeyRef, toAuditFilter } from "./schemas";

const noAliases = async () => [];

describe("audit filters", () => {
  it("refuses filters that make no sense on the page too, saying how to write them", () => {
    const bad = auditPageQuerySchema.safeParse({ action: "rm -rf", from: "yesterday", request: "x" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["action", '"rm -rf" is not an audit action: pick one from the list.'],
      ["from", '"yesterday" is not a calendar day: use YYYY-MM-DD, e.g. 2026-11-30.'],
      ["request", "Give the request id as shown (its first 8 characters, e.g. 82ca661b) or in full."],
    ]);
    // Only the page cursor falls back: a stale one just opens the newest events.
    expect(auditPageQuerySchema.parse({ action: "import.approved", from: "2026-11-01", before: "-1" })).toEqual({ action: "import.approved", from: "2026-11-01" });
    expect(auditPageQuerySchema.parse({ action: "", from: " ", request: "", before: "40" })).toEqual({ before: 40 });
  });

  it.each(["2026-13-45", "2027-02-31", "2026-02-29", "2026-04-31", "2026-00-10", "2026-1-5", "20261105"])("rejects %s, which is no calendar day", (day) => {
    expect(isCalendarDay(day)).toBe(false);
    expect(auditExportQuerySchema.safeParse({ format: "csv", from: day }).success).toBe(false);
    expect(auditPageQuerySchema.safeParse({ to: day }).success).toBe(false);
  });

  it("accepts real days, leap days included, and refuses a range that ends before it starts", () => {
    expect(isCalendarDay("2028-02-29")).toBe(true);
    expect(auditExportQuerySchema.parse({ format: "jsonl", from: "2026-11-01", to: "2026-11-30" })).toEqual({ format: "jsonl", from: "2026-11-01", to: "2026-11-30" });
    const reversed = auditPageQuerySchema.safeParse({ from: "2026-11-30", to: "2026-11-01" });
    expect(reversed.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["to", '"To" (2026-11-01) is before "From" (2026-11-30): swap them.']]);
  });

  it("rejects malformed export filters, and needs a format", () => {
    expect(auditExportQuerySchema.safeParse({ format: "xml" }).success).toBe(false);
    expect(auditExportQuerySchema.safeParse({ format: "csv", from: "01/11/2026" }).success).toBe(false);
    expect(auditExportQuerySchema.safeParse({ format: "csv", request: "82ca66" }).success).toBe(false);
  });

  it("takes a request id as the screens show it: its first 8 characters, pasted with or without 'request'", async () => {
    expect(auditPageQuerySchema.parse({ request: "82CA661B" }).request).toBe("82ca661b");
    expect(auditPageQuerySchema.parse({ request: "request 82ca661b" }).request).toBe("82ca661b");
    expect(await toAuditFilter({ request: "82ca661b" }, noAliases)).toEqual({ requestIdPrefix: "82ca661b" });
    const full = "82ca661b-1234-4abc-8def-0123456789ab";
    expect(await toAuditFilter({ request: full }, noAliases)).toEqual({ requestId: full });
    for (const bad of ["82ca661", "82ca661g", "82ca661b1", "%", "82ca661b-1234-4abc-8def-0123456789abc"]) expect(auditPageQuerySchema.safeParse({ request: bad }).success).toBe(false);
  });

  it("names a key by ARN, id, short id or alias", async () => {
    const arn = "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(parseKeyRef(arn)).toEqual({ kind: "arn", arn });
    expect(parseKeyRef("1234ABCD")).toEqual({ kind: "id", prefix: "1234abcd" });
    expect(parseKeyRef("mrk-0123456789abcdef0123456789abcdef")).toEqual({ kind: "id", prefix: "mrk-0123456789abcdef0123456789abcdef" });
    expect(parseKeyRef("alias/payments/settlement-kek")).toEqual({ kind: "alias", alias: "alias/payments/settlement-kek" });
    expect(parseKeyRef("arn:aws:kms:eu-west-1:222222222222:alias/payments/settlement-kek")).toEqual({ kind: "alias", alias: "alias/payments/settlement-kek" });
    expect(parseKeyRef("settlement-kek")).toEqual({ kind: "alias", alias: "settlement-kek" });
    expect(parseKeyRef("not a key; DROP TABLE")).toBeNull();
    expect(auditPageQuerySchema.safeParse({ key: "not a key; DROP TABLE" }).success).toBe(false);

    expect(await toAuditFilter({ key: arn }, noAliases)).toEqual({ key: { arns: [arn] } });
    expect(await toAuditFilter({ key: "1234abcd" }, noAliases)).toEqual({ key: { idPrefix: "1234abcd" } });
    expect(await toAuditFilter({ key: "settlement-kek" }, async (alias) => (alias === "settlement-kek" ? [arn] : []))).toEqual({ key: { arns: [arn] } });
    // An alias no key carries matches nothing, rather than being dropped.
    expect(await toAuditFilter({ key: "alias/nobody" }, noAliases)).toEqual({ key: { arns: [] } });
  });

  it("turns days into a half-open UTC range that includes the whole last day", async () => {
    const f = await toAuditFilter({ from: "2026-11-01", to: "2026-11-30" }, noAliases);
    expect(f.from?.toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(f.to?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
  });

  it("builds short URLs", () => {
    expect(auditQueryString({})).toBe("");
    expect(auditQueryString({ format: "csv", action: "import.imported", before: 10 })).toBe("?format=csv&action=import.imported&before=10");
    expect(auditQueryString({ key: "alias/a", person: "Casey Nakamura" })).toBe("?key=alias%2Fa&person=Casey+Nakamura");
  });
});
