import { decode, encode } from "next-auth/jwt";
import { expect, test } from "./fixtures";
import { IdentityProvider } from "./pages/identity-provider";
import { SignInPage } from "./pages/sign-in";
import { UserMenu } from "./pages/user-menu";
import { PHONE, expectFitsViewport } from "./pages/viewport";
import { IDP_NAME, IDP_PEOPLE, PRODUCTION_SECRET, PRODUCTION_URL, type IdpUsername } from "./servers";

// The production-mode app (playwright.config.ts) signing in through a real OpenID Connect provider.

const SESSION_COOKIE = "next-auth.session-token"; // http on loopback, so not the __Secure- variant

async function signInThroughProvider(page: import("@playwright/test").Page, username: IdpUsername, path = "/keys") {
  await page.goto(path);
  await expect(page).toHaveURL(/\/signin/);
  await new SignInPage(page).providerButton(IDP_NAME).click();
  await new IdentityProvider(page).signIn(username);
  await page.waitForURL(`${PRODUCTION_URL}/**`);
}

test("the sign-in page offers only the identity provider — demo people do not exist in production", async ({ page, request, expectAccessible }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await expect(signIn.heading()).toBeVisible();
  await expect(signIn.providerButton(IDP_NAME)).toBeVisible();
  await expect(page.getByRole("list", { name: "Demo people" })).toHaveCount(0);
  await expect(page.getByText("Demo", { exact: true })).toHaveCount(0);
  await expectAccessible(page);

  const providers = (await (await request.get("/api/auth/providers")).json()) as Record<string, unknown>;
  expect(Object.keys(providers)).toEqual(["oidc"]);
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  await request.post("/api/auth/callback/demo", { form: { csrfToken, personId: "demo-morgan", json: "true" } });
  const session = (await (await request.get("/api/auth/session")).json()) as { keyport?: unknown };
  expect(session.keyport).toBeUndefined();
});

for (const username of ["olivia", "priya", "ada"] as const) {
  const person = IDP_PEOPLE[username];
  test(`${person.name} signs in through the identity provider and gets ${person.roles.join(" and ")} from ${username === "ada" ? "their e-mail" : "their groups"}`, async ({ page, context }) => {
    await signInThroughProvider(page, username, "/imports");
    await expect(page).toHaveURL(`${PRODUCTION_URL}/imports`);
    const menu = new UserMenu(page);
    await expect(menu.button()).toContainText(person.name);
    expect(await menu.roles()).toEqual(person.roles);
    const panel = await menu.open();
    await expect(panel).toContainText(person.email.toLowerCase());
    await expect(panel).toContainText(`Signed in with ${IDP_NAME}`);

    const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    // The cookie lasts no longer than the 8-hour session.
    expect(cookie!.expires * 1000 - Date.now()).toBeLessThanOrEqual(8 * 3600 * 1000 + 60_000);
  });
}

test("a person whose groups give no role sees the no-access page, never the dashboard", async ({ page, expectAccessible }) => {
  await signInThroughProvider(page, "sam");
  await expect(page).toHaveURL(`${PRODUCTION_URL}/no-access`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You have no access to Keyport yet");
  await expect(page.getByRole("main")).toContainText(IDP_PEOPLE.sam.name);
  await expectAccessible(page);
  await page.setViewportSize(PHONE);
  await expectFitsViewport(page);
  await page.setViewportSize({ width: 1280, height: 720 });
  for (const path of ["/keys", "/audit"]) {
    await page.goto(path);
    await expect(page, path).toHaveURL(`${PRODUCTION_URL}/no-access`);
  }
  await expect(page.getByRole("navigation", { name: "Sections" })).toHaveCount(0);
  await page.getByRole("button", { name: "Sign out" }).click();
  await new IdentityProvider(page).confirmSignOut();
  await expect(page).toHaveURL(/\/signin\?signedOut=1$/);
});

test("sign-out ends the session, at the identity provider too", async ({ page, context }) => {
  await signInThroughProvider(page, "olivia");
  await new UserMenu(page).clickSignOut();
  // Keyport's cookie is gone before the browser reaches the provider's end-session page.
  await new IdentityProvider(page).confirmSignOut();
  await expect(new SignInPage(page).status()).toHaveText("You have signed out.");
  expect((await context.cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);
  await page.goto("/keys");
  await expect(page).toHaveURL(/\/signin$/);
  // The provider forgot the person as well: signing in again asks who they are instead of letting them straight in.
  await new SignInPage(page).providerButton(IDP_NAME).click();
  await new IdentityProvider(page).waitForSignInPage();
  await expect(page.getByLabel("Username")).toBeVisible();
});

test("cancelling at the identity provider comes back with a sentence, not a code", async ({ page }) => {
  await page.goto("/signin");
  await new SignInPage(page).providerButton(IDP_NAME).click();
  await new IdentityProvider(page).cancel();
  await expect(page).toHaveURL(/\/signin\?.*error=(OAuth)?Callback/);
  await expect(new SignInPage(page).alert()).toHaveText(new RegExp(`${IDP_NAME} did not complete the sign-in`));
});

/**
 * Expired sessions. Waiting 8 hours is not an option and next-auth reads the system clock, so the test
 * does what an operator holding the secret could: it takes the real session token Keyport issued, changes
 * one claim, and signs it again with the app's secret. (1) `signedInAt` 8 h + 1 min ago with a token that
 * next-auth itself still accepts — Keyport's absolute 8-hour limit must refuse it; (2) a token whose own
 * `exp` has passed.
 */
for (const variant of ["signed in more than 8 hours ago", "past its expiry"] as const) {
  test(`a session ${variant} is sent back to sign-in, and comes back to the page afterwards`, async ({ page, context, request }) => {
    await signInThroughProvider(page, "olivia");
    const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE)!;
    const token = (await decode({ token: cookie.value, secret: PRODUCTION_SECRET }))!;
    expect(token).toMatchObject({ sub: "olivia", roles: ["custodian"] });

    const now = Math.floor(Date.now() / 1000);
    const aged =
      variant === "signed in more than 8 hours ago"
        ? await encode({ token: { ...token, signedInAt: now - 8 * 3600 - 60 }, secret: PRODUCTION_SECRET, maxAge: 3600 })
        : await encode({ token: { ...token, signedInAt: now - 60 }, secret: PRODUCTION_SECRET, maxAge: -60 });
    await context.addCookies([{ ...cookie, value: aged }]);

    // The server refuses it too, not only the proxy's redirect.
    const session = await request.get("/api/auth/session", { headers: { cookie: `${SESSION_COOKIE}=${aged}` } });
    expect(((await session.json()) as { keyport?: unknown }).keyport ?? null).toBeNull();

    await page.goto("/imports");
    await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fimports&reason=expired$/);
    await expect(new SignInPage(page).status()).toHaveText(/Your session has ended/);
    expect((await context.cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);

    // Signing in again (the identity provider still has its own session) returns to the page.
    await new SignInPage(page).providerButton(IDP_NAME).click();
    await page.waitForURL(`${PRODUCTION_URL}/imports`);
  });
}
