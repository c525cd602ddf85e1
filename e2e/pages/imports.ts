import { expect, type Locator, type Page } from "@playwright/test";
import { KeysPage } from "./keys";

/** The import workflow as people use it: the key page's entry points, the start form, the request page. */
export class ImportsFlow {
  constructor(readonly page: Page) {}

  /** Opens a key's page from the inventory by its alias. */
  async openKey(alias: string) {
    const keys = new KeysPage(this.page);
    await keys.open(`?q=${encodeURIComponent(alias)}`);
    await keys.waitForInventory();
    await keys.row(alias).getByRole("link", { name: new RegExp(alias) }).click();
    await expect(this.page.getByRole("heading", { level: 1, name: alias })).toBeVisible();
  }

  keyMaterialPanel(): Locator {
    return this.page.getByRole("region", { name: "Key material", exact: true });
  }

  /** From a key's page: fills the start form (defaults for the wrapping) and submits it. */
  async startImport(options: { justification: string; expires?: boolean; algorithm?: string; wrappingKeySpec?: string }) {
    await this.keyMaterialPanel().getByRole("link", { name: /Start an import|Reimport key material/ }).click();
    const form = this.page.getByRole("form", { name: "Start an import" });
    await expect(form).toBeVisible();
    if (options.algorithm) await form.getByRole("radio", { name: options.algorithm }).check();
    if (options.wrappingKeySpec) await form.getByRole("radio", { name: options.wrappingKeySpec }).check();
    await form.getByRole("radio", { name: options.expires ? "Expires on a date" : "Does not expire" }).check();
    await form.getByLabel("Justification").fill(options.justification);
    return form;
  }

  async submitStart() {
    await this.page.getByRole("button", { name: "Get import parameters" }).click();
    await this.page.waitForURL(/\/imports\/[0-9a-f-]{36}$/, { timeout: 20_000 });
    return this.page.url().split("/").pop()!;
  }

  /** The request's state badge (in the page header, beside the title). */
  state(label: string): Locator {
    return this.page.getByRole("main").getByText(label, { exact: true }).first();
  }

  section(name: string): Locator {
    return this.page.getByRole("region", { name, exact: true });
  }

  downloads(): Locator {
    return this.page.getByRole("list", { name: "Downloads" });
  }

  /** Downloads a file through its link and returns its bytes. */
  async download(name: RegExp): Promise<Buffer> {
    const [download] = await Promise.all([this.page.waitForEvent("download"), this.downloads().getByRole("link", { name }).click()]);
    const path = await download.path();
    const { readFile } = await import("node:fs/promises");
    return readFile(path);
  }

  /** The command of a numbered step in "Wrap the key material", as shown (and copied). */
  async command(title: RegExp): Promise<string> {
    const block = this.section("Wrap the key material (on your workstation)").getByRole("figure", { name: title });
    return (await block.locator("pre code").innerText()).trim();
  }

  async upload(file: string) {
    const form = this.page.getByRole("form", { name: "Upload wrapped key material" });
    await form.getByLabel(/EncryptedKeyMaterial\.bin/).setInputFiles(file);
    await form.getByRole("button", { name: "Upload", exact: true }).click();
    await expect(form.getByRole("status")).toContainText("now awaits approval");
  }

  countdown(): Locator {
    return this.page.locator("[data-level]").first();
  }
}
