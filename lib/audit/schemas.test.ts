import { describe, expect, it } from "vitest";
import { auditExportQuerySchema, auditPageQuerySchema, auditQueryString, toAuditFilter } from "./schemas";

describe("audit filters", () => {
  it("drops malformed page filters instead of failing", () => {
    expect(auditPageQuerySchema.parse({ action: "rm -rf", from: "yesterday", request: "x", before: "-1" })).toEqual({});
    expect(auditPageQuerySchema.parse({ action: "import.approved", from: "2026-11-01", before: "40" })).toEqual({
      action: "import.approved",
      from: "2026-11-01",
      before: 40,
    });
  });

  it("rejects malformed export filters, and needs a format", () => {
    expect(auditExportQuerySchema.safeParse({ format: "xml" }).success).toBe(false);
    expect(auditExportQuerySchema.safeParse({ format: "csv", from: "01/11/2026" }).success).toBe(false);
    expect(auditExportQuerySchema.parse({ format: "jsonl", to: "2026-11-30" })).toEqual({ format: "jsonl", to: "2026-11-30" });
  });

  it("turns days into a half-open UTC range that includes the whole last day", () => {
    const f = toAuditFilter({ from: "2026-11-01", to: "2026-11-30" });
    expect(f.from?.toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(f.to?.toISOString()).toBe("2026-12-01T00:00:00.000Z");
  });

  it("builds short URLs", () => {
    expect(auditQueryString({})).toBe("");
    expect(auditQueryString({ format: "csv", action: "import.imported", before: 10 })).toBe("?format=csv&action=import.imported&before=10");
  });
});
