import type { Page } from "@playwright/test";

/** Keyport's sign-in page, in demo mode (demo people) or production (one identity-provider button). */
export class SignInPage {
  constructor(private readonly page: Page) {}

  async goto(query = "") {
    await this.page.goto(`/signin${query}`);
  }

  heading() {
    return this.page.getByRole("heading", { level: 1, name: "Sign in to Keyport" });
  }

  demoPeople() {
    return this.page.getByRole("list", { name: "Demo people" }).getByRole("button");
  }

  person(name: string) {
    return this.page.getByRole("button", { name: new RegExp(`^Sign in as ${name},`) });
  }

  /** Clicks a demo person and waits to leave the sign-in page. */
  async signInAs(name: string) {
    await this.person(name).click();
    await this.page.waitForURL((url) => url.pathname !== "/signin");
  }

  providerButton(providerName: string) {
    return this.page.getByRole("button", { name: `Sign in with ${providerName}` });
  }

  /** The error (role=alert) or information (role=status) the page shows at the top. */
  alert() {
    return this.page.getByRole("main").getByRole("alert");
  }

  status() {
    return this.page.getByRole("main").getByRole("status");
  }
}
