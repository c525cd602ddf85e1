import { expect, test } from "./fixtures";
import { KeysPage } from "./pages/keys";
import { ImportsFlow } from "./pages/imports";

/**
 * Break glass, turned on for the e2e demo server (e2e/servers.ts): an admin deletes a key's material alone, with
 * a reason and the key's alias typed out; the key then shows it in red. On envelope-rsa, which no other spec reads.
 */

const KEY = "alias/data/envelope-rsa";

test.describe("as a custodian", () => {
  test.use({ signedInAs: "custodian" });

  test("is not offered break glass", async ({ page }) => {
    test.slow(); // the first inventory read after the server starts
    const flow = new ImportsFlow(page);
    await flow.openKey(KEY);
    await expect(flow.keyMaterialPanel().getByRole("button", { name: /Request deletion of key material/ })).toBeVisible();
    await expect(page.getByRole("button", { name: /Break glass/ })).toHaveCount(0);
  });
});

test.describe("as an admin", () => {
  test.use({ signedInAs: "admin" });

  test("deletes the material without a second person after a reason and the alias, and the key shows it in red", async ({ page, expectAccessible }) => {
    test.slow();
    const flow = new ImportsFlow(page);
    await flow.openKey(KEY);
    await flow.keyMaterialPanel().getByRole("button", { name: /Break glass/ }).click();
    const form = page.getByRole("form", { name: "Break glass" });
    const submit = form.getByRole("button", { name: "Delete the key material now" });

    // Nothing goes until the reason says something and the key is named.
    await form.getByLabel("Reason").fill("Too short");
    await form.getByLabel(/Type .* to confirm/).fill(KEY);
    await expect(submit).toBeDisabled();
    await form.getByLabel("Reason").fill("E2E: partner upload key thought leaked, stop it now");
    await form.getByLabel(/Type .* to confirm/).fill("alias/data/another-key");
    await expect(submit).toBeDisabled();
    await form.getByLabel(/Type .* to confirm/).fill(KEY);
    await expectAccessible(page);
    await submit.click();

    await expect(page.getByText("Key material deleted.", { exact: true })).toBeVisible({ timeout: 20_000 });
    await expect(page.getByText(/us-east-1: deleted/)).toBeVisible();

    await page.reload();
    const banner = page.getByRole("note").filter({ hasText: "Key material deleted by break glass." });
    await expect(banner).toContainText("E2E: partner upload key thought leaked, stop it now");
    await expect(banner).toContainText("imported again under dual control");
    await expect(page.getByText("Pending import", { exact: true }).first()).toBeVisible();

    const keys = new KeysPage(page);
    await keys.open(`?q=${encodeURIComponent(KEY)}`);
    await expect(keys.row(KEY).getByText("Break glass", { exact: true })).toBeVisible();
  });
});
