import { expect, test } from "./fixtures";
import { KeysPage } from "./pages/keys";

/** The key-age report against the demo seed: reached from /keys, filtered in the URL, exported by an auditor. */

test.describe("as an auditor", () => {
  test.use({ signedInAs: "auditor" });

  test("opens the report from the key list, filters it by age in the URL, and downloads it as CSV", async ({ page, expectAccessible }) => {
    test.slow(); // the first inventory read after the server starts
    const keys = new KeysPage(page);
    await keys.open();
    await keys.waitForInventory();
    await page.getByRole("link", { name: "Key-age report" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Key-age report" })).toBeVisible();
    const table = page.getByRole("table", { name: /Age of each external key's current key material/ });
    await expect(table.getByRole("link", { name: "alias/data/partner-export-signing" })).toBeVisible();
    await expectAccessible(page);

    const filters = page.getByRole("search", { name: "Filter the key-age report" });
    await filters.getByLabel("Material age").selectOption("no-material");
    await filters.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/age=no-material/);
    await expect(table.getByText("No key material").first()).toBeVisible();
    await expect(table.getByText(/current since|key created/)).toHaveCount(0);

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download CSV" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^keyport-key-age-\d{8}-\d{6}\.csv$/);
  });
});

test.describe("as a custodian", () => {
  test.use({ signedInAs: "custodian" });

  test("reads the report but is offered no export", async ({ page }) => {
    await page.goto("/reports/key-age");
    await expect(page.getByRole("heading", { level: 1, name: "Key-age report" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Download CSV" })).toHaveCount(0);
  });
});
