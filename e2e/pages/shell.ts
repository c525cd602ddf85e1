import type { Page } from "@playwright/test";

/** The app shell as a person sees it: the top bar and its sections. */
export class Shell {
  constructor(private readonly page: Page) {}

  get sections() {
    return this.page.getByRole("navigation", { name: "Sections" });
  }

  link(name: string) {
    return this.sections.getByRole("link", { name, exact: true });
  }

  async open(name: string) {
    await this.link(name).click();
    await this.page.waitForURL(`**/${name.toLowerCase()}`);
  }

  heading() {
    return this.page.getByRole("heading", { level: 1 });
  }
}
