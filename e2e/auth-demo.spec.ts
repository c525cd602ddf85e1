import { DEMO_PEOPLE } from "../lib/auth/demo-people";
import { ROLE_LABELS } from "../lib/auth/permissions";
import { ROLES } from "../lib/config/schema";
import { demoPerson, expect, storageStatePath, test } from "./fixtures";
import { SignInPage } from "./pages/sign-in";
import { UserMenu } from "./pages/user-menu";

test("the sign-in page explains demo mode and lists every demo person with their roles", async ({ page, expectAccessible }) => {
  const signIn = new SignInPage(page);
  await signIn.goto();
  await expect(signIn.heading()).toBeVisible();
  await expect(page.getByRole("heading", { name: "Demo mode" })).toBeVisible();
  await expect(page.getByText(/nothing here touches real AWS/)).toBeVisible();
  await expect(signIn.demoPeople()).toHaveCount(DEMO_PEOPLE.length);
  for (const person of DEMO_PEOPLE) {
    const card = signIn.person(person.name);
    await expect(card).toBeVisible();
    for (const role of person.roles) await expect(card).toContainText(ROLE_LABELS[role]);
    await expect(card).toContainText(person.email);
  }
  // Two custodians and two approvers, so dual control can be tried.
  expect(DEMO_PEOPLE.filter((p) => p.roles.includes("custodian"))).toHaveLength(2);
  expect(DEMO_PEOPLE.filter((p) => p.roles.includes("approver"))).toHaveLength(2);
  await expectAccessible(page);
});

for (const role of ROLES) {
  test(`a visitor signs in as the demo ${role} and sees who they are, their role and the mode`, async ({ page }) => {
    const person = demoPerson(role);
    await page.goto("/keys");
    await expect(page).toHaveURL(/\/signin$/);
    await new SignInPage(page).signInAs(person.name);
    await expect(page).toHaveURL(/\/keys$/);

    const menu = new UserMenu(page);
    await expect(menu.button()).toContainText(person.name);
    const panel = await menu.open();
    await expect(panel).toContainText(person.name);
    await expect(panel).toContainText(person.email);
    expect(await menu.roles()).toEqual(person.roles.map((r) => ROLE_LABELS[r]));
    await expect(panel.getByText("Demo", { exact: true })).toBeVisible();
    await expect(page.getByRole("banner").getByText("Demo", { exact: true })).toHaveCount(2); // the top bar's marker and the menu's
  });
}

test.describe("signed in", () => {
  test.use({ signedInAs: "admin" });

  test("the user menu is an accessible disclosure: Escape and clicks outside close it, focus returns", async ({ page, expectAccessible }) => {
    await page.goto("/keys");
    const menu = new UserMenu(page);
    const button = menu.button();
    await expect(button).toHaveAttribute("aria-expanded", "false");
    const panel = await menu.panel();
    await expect(panel).toBeHidden();

    await button.click();
    await expect(button).toHaveAttribute("aria-expanded", "true");
    await expect(panel).toBeVisible();
    await expectAccessible(page);
    await page.keyboard.press("Tab");
    await expect(panel.getByRole("link", { name: "Switch demo person" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(panel).toBeHidden();
    await expect(button).toBeFocused();

    await page.keyboard.press("Enter");
    await expect(panel).toBeVisible();
    await page.getByRole("heading", { level: 1 }).click();
    await expect(panel).toBeHidden();
    await expect(button).toHaveAttribute("aria-expanded", "false");
  });
});

test.describe("an admin", () => {
  test.use({ signedInAs: "admin" });

  test("ends another person's session: their next request and page load are refused", async ({ page, browser, expectAccessible }) => {
    // Devon signs in afresh in a browser of their own (ending a shared storage state's session would sign out other tests).
    // Explicitly empty: Playwright would otherwise give this context the admin's storage state too.
    const devonContext = await browser.newContext({ storageState: { cookies: [], origins: [] } });
    const devon = await devonContext.newPage();
    try {
      await new SignInPage(devon).goto();
      await new SignInPage(devon).signInAs("Devon Okafor");
      const { sessionId } = (await (await devon.request.get("/api/auth/session")).json()) as { sessionId: string };
      expect(sessionId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect((await devon.request.get("/api/inventory/status")).status()).toBe(200);

      await page.goto("/sessions");
      await expect(page.getByRole("heading", { level: 1, name: "Sessions" })).toBeVisible();
      await expectAccessible(page);
      const end = page.getByRole("button", { name: `End Devon Okafor's session ${sessionId.slice(0, 8)}` });
      await end.click();
      await expect(page.getByRole("status").filter({ hasText: "Devon Okafor's session has ended" })).toBeVisible();
      await expect(end).toHaveCount(0);

      const refused = await devon.request.get("/api/inventory/status");
      expect(refused.status()).toBe(401);
      await devon.goto("/keys");
      await expect(devon).toHaveURL(/\/signin/);
    } finally {
      await devonContext.close();
    }
  });
});

test("the sessions page is not found for anyone but admins", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStatePath("demo-riley") });
  try {
    const response = await context.request.get("/sessions");
    expect(response.status()).toBe(404);
  } finally {
    await context.close();
  }
});

// Signed in afresh, not from the shared storage state: switching signs out, which revokes that session.
test("a visitor switches to another demo person from the user menu", async ({ page }) => {
  await new SignInPage(page).goto();
  await new SignInPage(page).signInAs("Morgan Achterberg");
  await page.goto("/keys");
  const panel = await new UserMenu(page).open();
  await panel.getByRole("link", { name: "Switch demo person" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByText(/You are signed in as Morgan Achterberg/)).toBeVisible();
  await new SignInPage(page).signInAs("Avery Lindqvist");
  await expect(new UserMenu(page).button()).toContainText("Avery Lindqvist");
  expect(await new UserMenu(page).roles()).toEqual(["Approver"]);
});

test("a session cookie copied before sign-out is refused afterwards, by routes and pages alike", async ({ page, context, playwright }) => {
  await new SignInPage(page).goto();
  await new SignInPage(page).signInAs("Morgan Achterberg");
  const captured = (await context.cookies()).filter((c) => c.name.startsWith("next-auth.session-token"));
  expect(captured.length).toBeGreaterThan(0);
  const replay = await playwright.request.newContext({
    baseURL: test.info().project.use.baseURL,
    extraHTTPHeaders: { Cookie: captured.map((c) => `${c.name}=${c.value}`).join("; ") },
  });
  /** The Set-Cookie lines of an answer that expire each captured session cookie. */
  const expiring = (headers: { name: string; value: string }[]) =>
    captured.filter((c) => headers.some((h) => h.name.toLowerCase() === "set-cookie" && h.value.startsWith(`${c.name}=;`) && /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(h.value)));
  try {
    expect((await replay.get("/api/audit/export?format=jsonl")).status()).toBe(200);
    const before = (await (await replay.get("/api/auth/session")).json()) as { keyport?: { name?: string } };
    expect(before.keyport?.name).toBe("Morgan Achterberg");
    await new UserMenu(page).signOut();
    const refused = await replay.get("/api/audit/export?format=jsonl");
    expect(refused.status()).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "unauthenticated" });
    // next-auth's own endpoint answers as for no session, and expires the cookie, instead of naming the person.
    const session = await replay.get("/api/auth/session");
    expect(session.status()).toBe(200);
    expect(await session.json()).toEqual({});
    expect(expiring(session.headersArray())).toEqual(captured);
    // A page load is sent to sign-in, and the proxy expires the revoked cookie so the browser stops sending it.
    const pageLoad = await replay.get("/audit", { maxRedirects: 0 });
    expect(pageLoad.status()).toBeGreaterThanOrEqual(300);
    expect(pageLoad.status()).toBeLessThan(400);
    expect(pageLoad.headers().location).toMatch(/\/signin/);
    expect(expiring(pageLoad.headersArray())).toEqual(captured);
  } finally {
    await replay.dispose();
  }
});

test("sign-out ends the session: the dashboard sends the visitor back to sign-in", async ({ page, context }) => {
  await new SignInPage(page).goto();
  await new SignInPage(page).signInAs("Riley Fernandes");
  await new UserMenu(page).signOut();
  await expect(new SignInPage(page).status()).toHaveText("You have signed out.");
  expect((await context.cookies()).map((c) => c.name)).not.toContain("next-auth.session-token");
  await page.goto("/imports");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fimports$/);
});

test("a signed-out visitor is sent to sign-in and brought back to the page they asked for", async ({ page }) => {
  await page.goto("/imports?state=pending");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fimports%3Fstate%3Dpending$/);
  await new SignInPage(page).signInAs("Devon Okafor");
  await expect(page).toHaveURL(/\/imports\?state=pending$/);
});

test("demo sign-in refuses anyone who is not a demo person, and an unsafe way back is ignored", async ({ page, request }) => {
  const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await request.post("/api/auth/callback/demo", { form: { csrfToken, personId: "demo-mallory", json: "true" } });
  expect(((await response.json()) as { url: string }).url).toContain("error=CredentialsSignin");
  const session = (await (await request.get("/api/auth/session")).json()) as { keyport?: unknown };
  expect(session.keyport).toBeUndefined();

  await page.goto("/signin?callbackUrl=https%3A%2F%2Fevil.example%2F");
  await new SignInPage(page).signInAs("Casey Nakamura");
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/keys$/);
});

test("next-auth's own error codes are shown as sentences", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.goto("?error=CredentialsSignin");
  await expect(signIn.alert()).toHaveText(/That demo person could not be signed in/);
  await signIn.goto("?error=Configuration");
  await expect(signIn.alert()).toHaveText(/not set up correctly on the server/);
  await signIn.goto("?error=SomethingNew");
  await expect(signIn.alert()).toHaveText(/Sign-in did not work/);
});
