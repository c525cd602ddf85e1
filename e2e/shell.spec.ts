import { expect, test } from "./fixtures";
import { Shell } from "./pages/shell";

const SECTIONS = ["Keys", "Imports", "Approvals", "Schedules", "Audit"] as const;

// The dashboard is for signed-in people; an admin may open every section.
test.use({ signedInAs: "admin" });

test("the root sends a visitor to the keys", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/keys$/);
  await expect(new Shell(page).heading()).toHaveText("Keys");
});

test("the top bar names the product, marks demo mode and navigates between sections", async ({ page }) => {
  const shell = new Shell(page);
  await page.goto("/keys");
  await expect(page.getByRole("link", { name: "Keyport home" })).toBeVisible();
  await expect(page.getByRole("banner").getByText("Demo", { exact: true }).filter({ visible: true })).toBeVisible();
  for (const name of SECTIONS) {
    await shell.open(name);
    await expect(shell.heading()).toHaveText(name);
    await expect(shell.link(name)).toHaveAttribute("aria-current", "page");
    for (const other of SECTIONS.filter((s) => s !== name)) await expect(shell.link(other)).not.toHaveAttribute("aria-current", "page");
  }
});

test("on a phone-sized screen every section is in view, on a row of its own", async ({ page, expectAccessible }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  const shell = new Shell(page);
  await page.goto("/keys");
  for (const name of SECTIONS) await expect(shell.link(name)).toBeInViewport({ ratio: 1 });
  await expect(page.getByRole("button", { name: /^Account menu for / })).toBeInViewport({ ratio: 1 });
  await shell.open("Audit");
  await expect(shell.heading()).toHaveText("Audit");
  await expectAccessible(page);
});

for (const name of SECTIONS) {
  test(`${name} is accessible and explains what will appear there`, async ({ page, expectAccessible }) => {
    await page.goto(`/${name.toLowerCase()}`);
    await expect(new Shell(page).heading()).toHaveText(name);
    await expect(page.getByRole("main").getByRole("heading", { level: 2 }).first()).toBeVisible();
    await expectAccessible(page);
  });
}

test("an unknown page says so, accessibly", async ({ page, expectAccessible }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  await expectAccessible(page);
});

test("pages carry a strict, per-request Content-Security-Policy and the other security headers", async ({ request }) => {
  // The sign-in page: public, so the request needs no session.
  const first = await request.get("/signin");
  const second = await request.get("/signin");
  const csp = first.headers()["content-security-policy"] ?? "";
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
  const nonce = (h: string) => /'nonce-([^']+)'/.exec(h)?.[1];
  expect(nonce(csp)).not.toEqual(nonce(second.headers()["content-security-policy"] ?? ""));
  const headers = first.headers();
  expect(headers["x-powered-by"]).toBeUndefined();
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["permissions-policy"]).toContain("camera=()");
});
