import { expect, type Locator, type Page } from "@playwright/test";

/** The key inventory (/keys) as a person uses it. */
export class KeysPage {
  constructor(private readonly page: Page) {}

  async open(search = "") {
    await this.page.goto(`/keys${search}`);
  }

  table(): Locator {
    return this.page.getByRole("table", { name: /External KMS keys/ });
  }

  /** One row per entry: a key, or a multi-Region key led by one Region (its other Regions follow in the same group). */
  rows(): Locator {
    return this.table().locator("tbody > tr:first-child");
  }

  /** The rows beneath a multi-Region key's entry, one per other Region. */
  regionRows(alias: string): Locator {
    return this.table()
      .locator("tbody")
      .filter({ has: this.page.getByRole("link", { name: new RegExp(alias) }) })
      .locator("tr:not(:first-child)");
  }

  row(alias: string): Locator {
    return this.rows().filter({ has: this.page.getByRole("link", { name: new RegExp(alias) }) });
  }

  /** The first refresh runs when the server starts; reload until its keys are cached. */
  async waitForInventory() {
    await expect(async () => {
      await this.page.reload();
      await expect(this.rows().first()).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 30_000 });
  }

  filter(label: string): Locator {
    return this.page.getByRole("search", { name: "Filter keys" }).getByLabel(label, { exact: true });
  }

  /** The count of keys under the table, and the page links when there is more than one page. */
  pagination(): Locator {
    return this.page.getByRole("navigation", { name: "Pages of keys" });
  }

  inventoryPanel(): Locator {
    return this.page.getByRole("region", { name: "Inventory" });
  }
}
