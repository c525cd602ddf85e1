import { expect, test } from "./fixtures";
import { KeysPage } from "./pages/keys";

/** The audit trail as an auditor uses it: read, verify, export; and who may not. */

test.describe("as an auditor", () => {
  test.use({ signedInAs: "auditor" });

  test("reads the trail, verifies the chain and exports it", async ({ page, expectAccessible }) => {
    await page.goto("/audit");
    // Signing in is itself audited, so the trail is never empty here.
    const events = page.getByRole("table", { name: "Audit events, newest first" });
    await expect(events).toBeVisible();
    await expect(events.getByText("Signed in").first()).toBeVisible();
    await expectAccessible(page);

    await page.getByRole("button", { name: "Verify chain" }).click();
    await expect(page.getByText(/The chain is intact: \d+ events/)).toBeVisible();

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^keyport-audit-\d{8}-\d{6}\.csv$/);
    const text = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
    const [header, ...rows] = text.trim().split("\n");
    expect(header).toContain("prev_hash");
    expect(header).toContain("hash");
    expect(rows.length).toBeGreaterThan(0);

    // The verification and the export were recorded too.
    await page.reload();
    await expect(events.getByText("Audit chain verified").first()).toBeVisible();
    await expect(events.getByText("Audit trail exported").first()).toBeVisible();
  });

  test("filters by action, and the export refuses malformed filters", async ({ page }) => {
    await page.goto("/audit?action=auth.sign_in");
    const events = page.getByRole("table", { name: "Audit events, newest first" });
    await expect(events.locator("tbody tr").first()).toBeVisible();
    for (const what of await events.locator("tbody tr td:nth-child(3) > span:first-child").allInnerTexts()) expect(what).toBe("Signed in");

    const bad = await page.request.get("/api/audit/export?format=xml");
    expect(bad.status()).toBe(422);
  });

  test("finds their own refused page visit in the trail", async ({ page }) => {
    // Starting an import is not an auditor's to do: the form is a 404 to them, and the attempt is recorded.
    const keys = new KeysPage(page);
    await keys.open("?q=settlement-kek");
    await keys.waitForInventory();
    await keys.row("settlement-kek").getByRole("link", { name: /settlement-kek/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "alias/payments/settlement-kek" })).toBeVisible();
    const importPath = `${new URL(page.url()).pathname}/import`;
    expect((await page.goto(importPath))?.status()).toBe(404);

    await page.goto("/audit?action=auth.access_denied");
    const row = page.getByRole("table", { name: "Audit events, newest first" }).locator("tbody tr").filter({ hasText: importPath }).first();
    await expect(row).toContainText("Access denied");
    await expect(row).toContainText("imports.request");
  });
});

test.describe("as a custodian", () => {
  test.use({ signedInAs: "custodian" });

  test("cannot see or export the audit trail, and is not offered it", async ({ page }) => {
    await page.goto("/keys");
    await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Keys" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Audit" })).toHaveCount(0);
    const response = await page.goto("/audit");
    expect(response?.status()).toBe(404);
    const exported = await page.request.get("/api/audit/export?format=csv");
    expect(exported.status()).toBe(403);
  });
});
