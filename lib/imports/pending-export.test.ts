import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { openRequestRow, pendingExportFilename, pendingExportQuerySchema, toCsv, toJson } from "./pending-export";
import type { RequestListRow } from "./queries";

const request = {
  id: "82ca661b-0000-4000-8000-000000000001",
  kind: "import",
  targetId: "prod",
  region: "eu-west-1",
  keyArn: "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
  keySpec: "SYMMETRIC_DEFAULT",
  state: "parameters_issued",
  wrappingAlgorithm: "RSAES_OAEP_SHA_256",
  wrappingKeySpec: "RSA_2048",
  requestedBySubject: "mallory",
  // A name from the identity provider that a spreadsheet would run as a formula.
  requestedByName: '=HYPERLINK("http://evil.test","x")',
  createdAt: new Date("2026-12-01T18:04:05.006Z"),
  updatedAt: new Date("2026-12-01T18:05:00.000Z"),
  parametersValidTo: new Date("2026-12-02T18:04:05.000Z"),
  alias: "alias/payments, \"settlement\"",
} as unknown as RequestListRow;

describe("the pending export's files", () => {
  const row = openRequestRow(request, new Map([["prod", { name: "Payments Production", accountId: "222222222222" }]]), {
    total: 1,
    latest: [{ file: "ImportToken.bin", at: new Date("2026-12-01T18:10:00.000Z"), subject: "demo-casey", name: "Casey Nakamura", parameterSetId: null, sha256: null }],
  });

  it("writes CSV that reads back field for field, with formulas defused and times in ISO 8601 UTC", () => {
    const [header, record] = parse(toCsv("open-requests", [row])) as string[][];
    const cells = Object.fromEntries(header!.map((c, i) => [c, record![i]]));
    expect(cells.requested_by_name).toBe(`'=HYPERLINK("http://evil.test","x")`);
    expect(cells.alias).toBe('alias/payments, "settlement"');
    expect(cells.requested_at).toBe("2026-12-01T18:04:05.006Z");
    expect(cells.downloads_latest).toBe("2026-12-01T18:10:00.000Z ImportToken.bin by Casey Nakamura <demo-casey>");
    expect(cells.uploaded_by_id).toBe("");
  });

  it("writes a header row even for an empty list", () => {
    expect(toCsv("expiring", [])).toMatch(/^account_name,account_id,region,key_id,key_arn,alias,key_spec,key_state,expiration_model,valid_to,/);
  });

  it("writes JSON with the downloads as objects and the list's metadata", () => {
    const doc = JSON.parse(toJson("open-requests", [row], { generatedAt: new Date("2026-12-01T20:00:00.000Z"), generatedBy: { id: "riley", name: null }, truncated: true }));
    expect(doc).toMatchObject({ list: "open-requests", generated_at: "2026-12-01T20:00:00.000Z", row_count: 1, truncated: true });
    expect(doc.rows[0].requested_by_name).toBe('=HYPERLINK("http://evil.test","x")');
    expect(doc.rows[0].downloads_latest).toEqual([
      { at: "2026-12-01T18:10:00.000Z", file: "ImportToken.bin", by_id: "demo-casey", by_name: "Casey Nakamura", parameter_set_id: null, sha256: null },
    ]);
  });

  it("names the file after the list and the UTC time", () => {
    expect(pendingExportFilename("keys-waiting", "csv", new Date("2026-12-01T18:04:05.999Z"))).toBe("keyport-pending-keys-waiting-20261201-180405.csv");
  });

  it("accepts one known list and format, and says what is accepted otherwise", () => {
    expect(pendingExportQuerySchema.parse({ list: "expiring", format: "json" })).toEqual({ list: "expiring", format: "json" });
    const bad = pendingExportQuerySchema.safeParse({ list: "all", format: ["csv", "json"] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.message).join(" ")).toContain("Choose list=keys-waiting, list=open-requests or list=expiring.");
  });
});

describe("the pending view's URL state", () => {
  it("drops what it cannot read instead of failing, so a stale or hand-edited link still opens", async () => {
    const { importsQuerySchema } = await import("./schemas");
    expect(importsQuerySchema.parse({ list: "everything", page: "-3", region: "Europe", target: "Prod!", expiry: ["7d", "30d"], q: "  " })).toEqual({
      view: "pending",
      state: undefined,
      list: undefined,
      target: undefined,
      region: undefined,
      q: undefined,
      expiry: undefined,
      page: 1,
    });
    expect(importsQuerySchema.parse({ list: "expiring", expiry: "7d", target: "prod", region: "eu-west-1", q: " wait ", page: "3" })).toMatchObject({
      list: "expiring",
      expiry: "7d",
      target: "prod",
      region: "eu-west-1",
      q: "wait",
      page: 3,
    });
  });

  it("links each section's export with the filters in view", async () => {
    const { pendingExportHref } = await import("./pending-export");
    expect(pendingExportHref("awaiting", "csv", { target: "prod", expiry: "7d" })).toBe("/api/imports/pending/export?list=open-requests&format=csv&group=awaiting&target=prod");
    expect(pendingExportHref("expiring", "json", { q: "pay", expiry: "7d" })).toBe("/api/imports/pending/export?list=expiring&format=json&q=pay&expiry=7d");
  });
});
