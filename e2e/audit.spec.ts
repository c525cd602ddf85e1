import { expect, storageStatePath, test } from "./fixtures";
import { ImportsFlow } from "./pages/imports";
import { KeysPage } from "./pages/keys";

/** The audit trail as an auditor uses it: read, verify, export; and who may not. */

test.describe("as an auditor", () => {
  test.use({ signedInAs: "auditor" });

  test("reads the trail, verifies the chain and exports it", async ({ page, expectAccessible }) => {
    await page.goto("/audit");
    // Signing in is itself audited, so the trail is never empty here.
    const events = page.getByRole("table", { name: "Audit events, newest first" });
    await expect(events).toBeVisible();
    await expect(events.getByText("Signed in").first()).toBeVisible();
    await expectAccessible(page);

    await page.getByRole("button", { name: "Verify chain" }).click();
    await expect(page.getByText(/The chain is intact: \d+ events/)).toBeVisible();

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^keyport-audit-\d{8}-\d{6}\.csv$/);
    const text = await (await file.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
    const [header, ...rows] = text.trim().split("\n");
    expect(header).toContain("prev_hash");
    expect(header).toContain("hash");
    expect(rows.length).toBeGreaterThan(0);

    // The verification and the export were recorded too.
    await page.reload();
    await expect(events.getByText("Audit chain verified").first()).toBeVisible();
    await expect(events.getByText("Audit trail exported").first()).toBeVisible();
  });

  test("filters by action, and the export refuses malformed filters", async ({ page }) => {
    await page.goto("/audit?action=auth.sign_in");
    const events = page.getByRole("table", { name: "Audit events, newest first" });
    await expect(events.locator("tbody tr").first()).toBeVisible();
    const whats = await events.locator("tbody tr td:nth-child(3) > span:first-child").allInnerTexts();
    expect(whats.length, "one action per listed event").toBe(await events.locator("tbody tr").count());
    for (const what of whats) expect(what).toBe("Signed in");

    const bad = await page.request.get("/api/audit/export?format=xml");
    expect(bad.status()).toBe(400);
  });

  test("finds events by the short request id, the key and the person the screens show", async ({ page, browser }) => {
    test.slow();
    // A deletion request gives the trail a request id without issuing import parameters (imports.spec alone does).
    const custodian = await (await browser.newContext({ storageState: storageStatePath("demo-casey") })).newPage();
    const flow = new ImportsFlow(custodian);
    await flow.openKey("alias/data/attestation-signing");
    const keyId = new URL(custodian.url()).pathname.split("/").pop()!;
    await flow.keyMaterialPanel().getByRole("button", { name: /Request deletion of key material/ }).click();
    await custodian.getByRole("form", { name: "Request deletion of key material" }).getByLabel("Justification").fill("E2E: something for the auditor to find");
    await custodian.getByRole("button", { name: "Request deletion", exact: true }).click();
    await custodian.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
    const requestId = custodian.url().split("/").pop()!;
    const short = requestId.slice(0, 8);

    const events = page.getByRole("table", { name: "Audit events, newest first" });
    const rows = events.locator("tbody tr");
    // The request as the trail shows it: "request 82ca661b", typed into the form.
    await page.goto("/audit");
    await page.getByRole("search", { name: "Filter events" }).getByLabel("Request id").fill(short);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(new RegExp(`request=${short}`));
    await expect(rows.filter({ hasText: "Deletion of key material requested" })).toHaveCount(1);
    const requestLinks = await rows.locator("td:nth-child(3)").allInnerTexts();
    expect(requestLinks.length).toBeGreaterThan(0);
    for (const what of requestLinks) expect(what).toContain(`request ${short}`);

    // The key by its alias, and by the start of its id.
    for (const key of ["alias/data/attestation-signing", "attestation-signing", keyId.slice(0, 8)]) {
      await page.goto(`/audit?key=${encodeURIComponent(key)}`);
      await expect(rows.filter({ hasText: `request ${short}` }).first(), key).toBeVisible();
      const places = await rows.locator("td:nth-child(5)").allInnerTexts();
      expect(places.length).toBeGreaterThan(0);
      for (const where of places) expect(where, key).toContain(keyId);
    }

    // The person by e-mail and by name.
    for (const person of ["casey.custodian@demo.keyport", "Casey Nakamura"]) {
      await page.goto(`/audit?person=${encodeURIComponent(person)}`);
      await expect(rows.filter({ hasText: `request ${short}` }).first(), person).toBeVisible();
      const who = await rows.locator("td:nth-child(4) > span:first-child").allInnerTexts();
      expect(who.length).toBeGreaterThan(0);
      for (const name of who) expect(name, person).toBe("Casey Nakamura");
    }

    // What matches nothing lists nothing: never the whole trail.
    for (const filter of ["request=ffffffff", "key=alias%2Fno%2Fsuch-key", "person=Nobody%20Atall"]) {
      await page.goto(`/audit?${filter}`);
      await expect(page.getByRole("heading", { name: "No events match these filters" }), filter).toBeVisible();
      await expect(events).toHaveCount(0);
    }

    await custodian.goto(`/imports/${requestId}`);
    await custodian.getByRole("button", { name: "Cancel request…" }).click();
    await custodian.getByRole("button", { name: "Cancel the request" }).click();
    await expect(flow.state("Cancelled")).toBeVisible();
    await custodian.context().close();
  });

  test("says what is wrong with an impossible date, on the page and in the export, and exports nothing", async ({ page, expectAccessible }) => {
    const events = page.getByRole("table", { name: "Audit events, newest first" });
    for (const [query, message] of [
      ["from=2026-13-45", '"2026-13-45" is not a calendar day: use YYYY-MM-DD'],
      ["to=2027-02-31", '"2027-02-31" is not a calendar day: use YYYY-MM-DD'],
      ["request=82ca66", "Give the request id as shown (its first 8 characters"],
    ] as const) {
      const response = await page.goto(`/audit?${query}`);
      expect(response?.status(), query).toBe(200);
      await expect(page.getByRole("alert").filter({ hasText: "These filters cannot be applied, so no events are listed." })).toBeVisible();
      await expect(page.getByRole("search", { name: "Filter events" })).toContainText(message);
      await expect(events).toHaveCount(0);
    }
    await expectAccessible(page);

    for (const query of ["from=2026-13-45", "to=2027-02-31", "from=2026-11-30&to=2026-11-01", "request=82ca66"]) {
      const bad = await page.request.get(`/api/audit/export?format=csv&${query}`);
      expect(bad.status(), query).toBe(400);
      expect(bad.headers()["content-type"]).toContain("application/json");
      const body = (await bad.json()) as { code: string; message: string };
      expect(body.code).toBe("invalid_input");
      expect(body.message).toMatch(/^The request's parameters are not valid\. (from|to|request): /);
    }
    // None of those was recorded as an export.
    const recorded = await page.request.get("/api/audit/export?format=jsonl&action=audit.exported");
    expect(recorded.status()).toBe(200);
    const text = await recorded.text();
    expect(text).toContain('"action":"audit.exported"');
    for (const bad of ["2026-13-45", "2027-02-31", "82ca66"]) expect(text).not.toContain(bad);
  });

  test("finds their own refused page visit in the trail", async ({ page }) => {
    // Starting an import is not an auditor's to do: the form is a 404 to them, and the attempt is recorded.
    const keys = new KeysPage(page);
    await keys.open("?q=settlement-kek");
    await keys.waitForInventory();
    await keys.row("settlement-kek").getByRole("link", { name: /settlement-kek/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "alias/payments/settlement-kek" })).toBeVisible();
    const importPath = `${new URL(page.url()).pathname}/import`;
    expect((await page.goto(importPath))?.status()).toBe(404);

    await page.goto("/audit?action=auth.access_denied");
    const row = page.getByRole("table", { name: "Audit events, newest first" }).locator("tbody tr").filter({ hasText: importPath }).first();
    await expect(row).toContainText("Access denied");
    await expect(row).toContainText("imports.request");
  });
});

test.describe("as a custodian", () => {
  test.use({ signedInAs: "custodian" });

  test("cannot see or export the audit trail, and is not offered it", async ({ page }) => {
    await page.goto("/keys");
    await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Keys" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Audit" })).toHaveCount(0);
    const response = await page.goto("/audit");
    expect(response?.status()).toBe(404);
    const exported = await page.request.get("/api/audit/export?format=csv");
    expect(exported.status()).toBe(403);
  });
});
