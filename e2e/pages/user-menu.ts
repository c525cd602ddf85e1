import type { Locator, Page } from "@playwright/test";

/** The signed-in person's menu in the top bar: a button that shows and hides a panel. */
export class UserMenu {
  constructor(private readonly page: Page) {}

  button(): Locator {
    return this.page.getByRole("banner").getByRole("button", { name: /^Account menu for/ });
  }

  /** The panel the button controls (found through aria-controls, as assistive technology does). */
  async panel(): Promise<Locator> {
    const id = await this.button().getAttribute("aria-controls");
    return this.page.locator(`[id="${id}"]`);
  }

  /** Opens the menu if it is closed, and returns its panel. */
  async open(): Promise<Locator> {
    if ((await this.button().getAttribute("aria-expanded")) !== "true") await this.button().click();
    return this.panel();
  }

  async roles(): Promise<string[]> {
    const panel = await this.open();
    return panel.getByRole("list", { name: "Roles" }).getByRole("listitem").allInnerTexts();
  }

  /** Signs out of a session with no identity provider session behind it (demo people). */
  async signOut() {
    await this.clickSignOut();
    await this.page.waitForURL("**/signin?signedOut=1");
  }

  async clickSignOut() {
    const panel = await this.open();
    await panel.getByRole("button", { name: "Sign out" }).click();
  }
}
