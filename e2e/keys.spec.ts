import { expect, test } from "./fixtures";
import { KeysPage } from "./pages/keys";

/**
 * The key inventory against the emulator's demo seed (two working accounts, one whose role refuses every
 * AssumeRole, two Regions), read through the real AWS SDK by the built app.
 */

test.describe("as a custodian", () => {
  test.use({ signedInAs: "custodian" });

  test("lists the EXTERNAL keys of every account and Region, and shows the refused account's error", async ({ page, expectAccessible }) => {
    const keys = new KeysPage(page);
    await keys.open();
    await keys.waitForInventory();
    await expect(keys.rows()).toHaveCount(21);
    await expect(keys.pagination()).toHaveText("21 keys");
    await expect(keys.table().getByText("Payments Production").first()).toBeVisible();
    await expect(keys.table().getByText("Data Platform Staging").first()).toBeVisible();
    for (const state of ["Pending import", "Enabled", "Disabled", "Pending deletion"])
      await expect(keys.table().getByText(state, { exact: true }).first()).toBeVisible();
    // The quarantined account fails alone: its error is shown, the other accounts' keys are not hidden.
    await expect(keys.inventoryPanel().getByText(/Quarantined Sandbox .* could not assume the target's IAM role/).first()).toBeVisible();
    await expect(keys.table().getByText("Quarantined Sandbox")).toHaveCount(0);
    await expectAccessible(page);
  });

  test("filters by state, key spec, account and text, keeping the filters in the URL", async ({ page }) => {
    const keys = new KeysPage(page);
    await keys.open();
    await keys.waitForInventory();

    await keys.filter("State").selectOption("PendingImport");
    await expect(page).toHaveURL(/state=PendingImport/);
    // imports.spec may move a key in and out of PendingImport meanwhile: check what the filter shows, and the
    // keys no other spec touches.
    await expect(keys.row("partner-export-signing")).toBeVisible();
    await expect(keys.row("api-request-signing")).toBeVisible();
    await expect(keys.row("settlement-kek")).toHaveCount(0);
    const badges = await keys.rows().locator("td:nth-child(5)").allInnerTexts();
    expect(badges.length, "one state per listed key").toBe(await keys.rows().count());
    for (const badge of badges) expect(badge.trim()).toBe("Pending import");

    await keys.filter("Key spec").selectOption("RSA_4096");
    await expect(page).toHaveURL(/spec=RSA_4096/);
    await expect(keys.rows()).toHaveCount(1);
    await expect(keys.row("partner-export-signing")).toBeVisible();

    // Reloading the URL gives the same view: the state lives in the URL.
    await page.reload();
    await expect(keys.filter("State")).toHaveValue("PendingImport");
    await expect(keys.rows()).toHaveCount(1);

    await page.goto("/keys");
    await keys.filter("Search").fill("pin-block");
    await expect(page).toHaveURL(/q=pin-block/);
    await expect(keys.rows()).toHaveCount(1);
    await expect(keys.row("alias/payments/pin-block-kek")).toBeVisible();
    await expect(keys.pagination()).toHaveText("1 key");

    await page.goto("/keys?q=no-such-key-anywhere");
    await expect(page.getByRole("heading", { name: "No keys match these filters" })).toBeVisible();
    await page.getByRole("link", { name: "Clear filters" }).click();
    await expect(keys.rows()).toHaveCount(21);
  });

  test("sorts by expiry and shows material expiring within the warning window", async ({ page }) => {
    const keys = new KeysPage(page);
    await keys.open("?sort=validTo");
    await keys.waitForInventory();
    await expect(page.getByRole("columnheader", { name: /Key material/ })).toHaveAttribute("aria-sort", "ascending");
    // The soonest expiry comes first, highlighted (another spec may import material expiring sooner still).
    await expect(keys.rows().first().locator("td:nth-child(6)")).toContainText(/Expire[sd] /);
    await expect(keys.row("ingest-signing").getByText(/Expires in 2 days/)).toBeVisible();
    await page.getByLabel("Expiring within 14 days").check();
    await expect(page).toHaveURL(/expiring=1/);
    // Retrying: the URL changes before the filtered rows arrive.
    await expect(keys.rows().locator("td:nth-child(6)").filter({ hasText: "Never expires" })).toHaveCount(0);
    const count = await keys.rows().count();
    expect(count).toBeGreaterThan(0);
    const cells = await keys.rows().locator("td:nth-child(6)").allInnerTexts();
    expect(cells.length, "one expiry per listed key").toBe(count);
    for (const cell of cells) expect(cell).toMatch(/Expires (in|next week)/);
  });

  test("sorts by key material without mixing dated, never-expiring and missing material", async ({ page }) => {
    const keys = new KeysPage(page);
    await keys.open("?sort=validTo");
    await keys.waitForInventory();
    const group = (cell: string) => (/^Expire[sd] /.test(cell) ? 0 : cell === "Never expires" ? 1 : 2);
    for (const dir of ["asc", "desc"] as const) {
      await keys.open(`?sort=validTo&dir=${dir}`);
      const cells = (await keys.rows().locator("td:nth-child(6)").allInnerTexts()).map((c) => c.trim().split("\n")[0]!);
      expect(cells).toHaveLength(21);
      const groups = cells.map(group);
      // Ascending: dated, never, none. Descending: never, dated, none (no material stays last).
      const order = dir === "asc" ? [0, 1, 2] : [1, 0, 2];
      const ranks = groups.map((g) => order.indexOf(g));
      expect(ranks, cells.join(" | ")).toEqual([...ranks].sort((a, b) => a - b));
      expect(new Set(groups), "the seed has keys of every kind").toEqual(new Set([0, 1, 2]));
    }
  });

  test("a page past the end opens the last page, and counts read right", async ({ page }) => {
    const keys = new KeysPage(page);
    await keys.open();
    await keys.waitForInventory();
    await page.goto("/keys?page=2");
    await expect(page).toHaveURL(/\/keys$/);
    await expect(keys.rows()).toHaveCount(21);
    await expect(keys.pagination()).toHaveText("21 keys");

    await page.goto("/keys?q=pin-block&sort=validTo&page=7");
    await expect(page).toHaveURL(/\/keys\?q=pin-block&sort=validTo$/);
    await expect(keys.rows()).toHaveCount(1);
    await expect(keys.pagination()).toHaveText("1 key");
  });

  test("opens a key's page with its metadata and live key material history", async ({ page, expectAccessible }) => {
    const keys = new KeysPage(page);
    await keys.open("?q=settlement-kek");
    await keys.waitForInventory();
    await keys.row("settlement-kek").getByRole("link", { name: /settlement-kek/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "alias/payments/settlement-kek" })).toBeVisible();
    await expect(page.getByText(/^arn:aws:kms:eu-west-1:222222222222:key\//)).toBeVisible();
    await expect(page.getByText("SYMMETRIC_DEFAULT")).toBeVisible();
    const history = page.getByRole("table", { name: "Key material of this key" });
    await expect(history).toBeVisible();
    await expect(history.getByText("current")).toBeVisible();
    await expectAccessible(page);
  });

  test("shows a multi-Region key as one entry with its Regions beneath, flags how they differ, and links each Region", async ({ page, expectAccessible }) => {
    const keys = new KeysPage(page);
    await keys.open("?q=payments-mrk");
    await keys.waitForInventory();
    await expect(keys.rows()).toHaveCount(1);
    const entry = keys.row("payments-mrk");
    await expect(entry.getByText("Multi-Region · 3 Regions")).toBeVisible();
    await expect(entry.getByText("Regions differ")).toBeVisible();
    // One replica still waits for its own import; the other took the same material with an earlier ValidTo.
    await expect(entry.getByText("eu-central-1 is waiting for key material")).toBeVisible();
    await expect(entry.getByText("us-east-1 expires first")).toBeVisible();
    await expect(entry.getByRole("cell", { name: /eu-west-1\s*Primary/ })).toBeVisible();
    const replicas = keys.regionRows("payments-mrk");
    await expect(replicas).toHaveCount(2);
    const replica = replicas.filter({ hasText: "us-east-1" });
    await expect(replica.getByRole("cell", { name: /us-east-1\s*Replica/ })).toBeVisible();
    await expectAccessible(page);

    await replica.getByRole("link", { name: "Replica in us-east-1" }).click();
    await expect(page).toHaveURL(/\/keys\/[^/]+\/us-east-1\/mrk-/);
    const regions = page.getByRole("table", { name: "Regions of this multi-Region key" });
    await expect(regions.getByRole("row")).toHaveCount(4);
    await expect(regions.getByText("us-east-1 (this page)")).toBeVisible();
    // New material for a multi-Region key enters through its primary: the replica offers reimport, not rotation.
    await expect(page.getByRole("link", { name: "Reimport key material" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Rotate to new key material" })).toHaveCount(0);
    // The schedule card repeats the reason as its rotation status; this is the actions card's sentence.
    await expect(page.getByRole("paragraph").filter({ hasText: /replica of a multi-Region key: new key material goes into its primary key in eu-west-1/ })).toBeVisible();
    await regions.getByRole("link", { name: "eu-west-1" }).click();
    await expect(page).toHaveURL(/\/keys\/[^/]+\/eu-west-1\/mrk-/);
    await expect(page.getByRole("table", { name: "Regions of this multi-Region key" }).getByRole("row", { name: /eu-west-1 \(this page\)\s*Primary/ })).toBeVisible();
    await expectAccessible(page);
  });

  test("answers 404 for a key that is not in the inventory, and for a malformed one", async ({ page }) => {
    const missing = await page.goto("/keys/payments-production/eu-west-1/00000000-0000-0000-0000-000000000000");
    expect(missing?.status()).toBe(404);
    const malformed = await page.goto("/keys/payments-production/eu-west-1/not-a-key-id");
    expect(malformed?.status()).toBe(404);
  });

  test("starts a refresh and follows its progress to the end", async ({ page }) => {
    const keys = new KeysPage(page);
    await keys.open();
    await keys.waitForInventory();
    const button = keys.inventoryPanel().getByRole("button", { name: /Refresh inventory|Refreshing/ });
    await button.click();
    await expect(keys.inventoryPanel().getByRole("button", { name: "Refresh inventory" })).toBeEnabled({ timeout: 60_000 });
    await expect(keys.inventoryPanel().getByText(/refreshed (now|\d+ seconds? ago)/).or(keys.inventoryPanel().getByText(/of \d+ account Regions refreshed/))).toBeVisible();
  });
});

test.describe("as an auditor", () => {
  test.use({ signedInAs: "auditor" });

  test("sees the inventory but cannot start a refresh", async ({ page }) => {
    const keys = new KeysPage(page);
    await keys.open();
    await keys.waitForInventory();
    await expect(keys.inventoryPanel().getByRole("button", { name: "Refresh inventory" })).toHaveCount(0);
  });
});
