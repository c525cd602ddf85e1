import type { Page } from "@playwright/test";
import { IDP_ISSUER } from "../servers";

/** The test OpenID Connect provider's sign-in page (e2e/oidc/provider.mts). */
export class IdentityProvider {
  constructor(private readonly page: Page) {}

  async waitForSignInPage() {
    await this.page.waitForURL(`${IDP_ISSUER}/interaction/**`);
  }

  async signIn(username: string) {
    await this.waitForSignInPage();
    await this.page.getByLabel("Username").fill(username);
    await this.page.getByRole("button", { name: "Continue" }).click();
  }

  /** The provider's "sign out?" page, reached from Keyport's sign-out (RP-initiated logout). */
  async confirmSignOut() {
    await this.page.waitForURL(`${IDP_ISSUER}/session/end**`);
    await this.page.getByRole("button", { name: "Yes, sign me out" }).click();
  }

  async cancel() {
    await this.waitForSignInPage();
    await this.page.getByRole("link", { name: "Cancel" }).click();
  }
}
