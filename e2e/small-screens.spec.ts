import { expect, test } from "./fixtures";
import { KeysPage } from "./pages/keys";
import { SignInPage } from "./pages/sign-in";
import { PHONE, expectFitsViewport } from "./pages/viewport";

/**
 * At phone width no page may scroll sideways: wide tables scroll inside their own card. The pages that need
 * an import request (the start form, a request page, an approval card) are checked in imports.spec.ts, which
 * alone issues import parameters; the no-access page, which only the production app has, in auth-oidc.spec.ts.
 */

test.use({ viewport: PHONE });

test.describe("signed in as an admin (every section)", () => {
  test.use({ signedInAs: "admin" });

  test("the key list and a key's page fit the screen", async ({ page }) => {
    const keys = new KeysPage(page);
    await keys.open();
    await keys.waitForInventory();
    await expect(keys.rows()).toHaveCount(21);
    await expectFitsViewport(page);

    await keys.open("?q=settlement-kek");
    await keys.row("settlement-kek").getByRole("link", { name: /settlement-kek/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "alias/payments/settlement-kek" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Key material of this key" })).toBeVisible();
    await expectFitsViewport(page);
  });

  for (const [path, heading] of [
    ["/imports", "Imports"],
    ["/approvals", "Approvals"],
    ["/audit", "Audit"],
  ] as const) {
    test(`${path} fits the screen`, async ({ page }) => {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await expectFitsViewport(page);
    });
  }

  test("the not-found page fits the screen", async ({ page }) => {
    expect((await page.goto("/no-such-page"))?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
    await expectFitsViewport(page);
  });
});

test("the sign-in page fits the screen", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await expect(signIn.heading()).toBeVisible();
  await expect(signIn.demoPeople().first()).toBeVisible();
  await expectFitsViewport(page);
});
