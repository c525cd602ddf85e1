import { expect, type Locator, type Page } from "@playwright/test";

/** The DEMO marker in the top bar, and for an admin the demo clock control it opens. */
export class DemoClock {
  constructor(private readonly page: Page) {}

  marker(): Locator {
    return this.page.getByRole("banner").getByTestId("demo-marker");
  }

  panel(): Locator {
    return this.page.getByRole("group", { name: "Demo clock" });
  }

  private async openPanel() {
    if (!(await this.panel().isVisible())) await this.marker().click();
    await expect(this.panel()).toBeVisible();
  }

  /** Moves the clock by whole minutes with the control's own form, and waits for the page to follow. */
  async moveByMinutes(minutes: number, expectedMarker: string) {
    await this.openPanel();
    await this.panel().getByLabel("Move by (minutes)").fill(String(minutes));
    await this.panel().getByRole("button", { name: "Move", exact: true }).click();
    await expect(this.panel().getByRole("status")).toContainText("from the real time");
    await expect(this.marker()).toHaveText(new RegExp(`^${expectedMarker}`));
  }

  async reset() {
    await this.openPanel();
    await this.panel().getByRole("button", { name: "Back to the real time" }).click();
    await expect(this.panel().getByRole("status")).toContainText("Back to the real time");
    await expect(this.marker()).toHaveText(/^Demo(: set the demo clock)?$/);
  }
}
