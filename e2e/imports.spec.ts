import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "@playwright/test";
import { strFromU8, unzipSync } from "fflate";
import type { APIRequestContext } from "@playwright/test";
import { hsmCommand } from "../lib/imports/commands";
import { expect, storageStatePath, test } from "./fixtures";
import { DemoClock } from "./pages/demo-clock";
import { ImportsFlow } from "./pages/imports";
import { PHONE, expectFitsViewport } from "./pages/viewport";
import { DEMO_URL, EMULATOR_URL, WEBHOOK_URL } from "./servers";

/**
 * The approval-gated import in Chromium, against the emulator: a custodian starts it on a key, downloads the
 * files, wraps key material by running — with bash and openssl — the very commands the page shows, uploads;
 * an approver who did neither approves; the key is enabled. Each test works on its own key of the demo seed.
 *
 * The tests of this file run one after another (serial), because the last one moves clocks: the emulator's
 * clock goes back ~24 hours for the moment its GetParametersForImport runs (so KMS issues a token with
 * minutes to live), and Keyport's clock (the demo clock control, which moves the emulator's with it) forward by
 * ten minutes. Any parameters issued in that moment would be nearly expired, so no other test of this suite
 * may issue parameters in parallel: keep every test that does in this file. Other specs only read, and
 * tolerate a ten-minute clock shift.
 */
test.describe.configure({ mode: "serial" });

const EMULATOR_ADMIN = `${EMULATOR_URL}/__admin/clock`;

const run = promisify(execFile);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function bash(command: string, cwd: string): Promise<string> {
  const { stdout } = await run("bash", ["-euo", "pipefail", "-c", command], { cwd, encoding: "utf8" });
  return stdout;
}

async function signedIn(browser: Browser, personId: string): Promise<Page> {
  const context = await browser.newContext({ storageState: storageStatePath(personId) });
  return context.newPage();
}

test.describe("as a custodian, with an approver", () => {
  test.use({ signedInAs: "custodian" });

  test("imports symmetric key material wrapped with RSAES_OAEP_SHA_256, approved by someone else; then deletes it under approval", async ({
    page,
    browser,
    expectAccessible,
  }) => {
    test.slow();
    const work = await mkdtemp(join(tmpdir(), "keyport-e2e-import-"));
    try {
      const flow = new ImportsFlow(page);
      await flow.openKey("alias/payments/card-data-kek");
      const keyUrl = page.url();
      await expect(page.getByText("Pending import", { exact: true }).first()).toBeVisible();

      // Start: the default wrapping for a symmetric key, material that does not expire, a justification.
      const form = await flow.startImport({ justification: "E2E: first import of the card data KEK from the payments HSM" });
      await expect(form.getByRole("radio", { name: /RSAES_OAEP_SHA_256/ })).toBeChecked();
      await expect(form.getByRole("radio", { name: /RSA_4096/ })).toBeChecked();
      await expect(form.getByRole("radio", { name: /RSAES_PKCS1_V1_5/ })).toBeDisabled();
      await expect(form.getByText(/Not available: AWS KMS stopped accepting RSAES_PKCS1_V1_5/)).toBeVisible();
      await expectAccessible(page);
      const requestId = await flow.submitStart();

      await expect(flow.state("Parameters issued")).toBeVisible();
      await expect(flow.countdown()).toHaveAttribute("data-level", "ok");
      await expect(flow.countdown()).toContainText(/^2[34] h \d\d min \d\d s left$/);

      // The files, each with the SHA-256 the page shows; the zip holds all three and a README.
      const der = await flow.download(/WrappingPublicKey\.bin/);
      await expect(flow.downloads()).toContainText(sha256(der));
      const token = await flow.download(/ImportToken\.bin/);
      await expect(flow.downloads()).toContainText(sha256(token));
      const pem = await flow.download(/WrappingPublicKey\.pem/);
      expect(pem.toString("ascii")).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      const zip = unzipSync(await flow.download(/Download all/));
      expect(Object.keys(zip).sort()).toEqual(["ImportToken.bin", "README.txt", "WrappingPublicKey.bin", "WrappingPublicKey.pem"]);
      expect(Buffer.from(zip["ImportToken.bin"]!).equals(token)).toBe(true);
      expect(strFromU8(zip["README.txt"]!)).toContain(`${sha256(der)}  WrappingPublicKey.bin`);

      // Offline: exactly the commands the page shows for this algorithm and key spec.
      await writeFile(join(work, "WrappingPublicKey.bin"), der);
      await writeFile(join(work, "ImportToken.bin"), token);
      const checked = await bash(await flow.command(/Check the downloaded files/), work);
      expect(checked).toContain(sha256(der));
      await bash(await flow.command(/Have the key material/), work);
      await bash(await flow.command(/Wrap the material/), work);
      expect((await bash(await flow.command(/Check the result/), work)).split("\n")[0]).toBe("512");
      const blob = await readFile(join(work, "EncryptedKeyMaterial.bin"));
      // Beside openssl, the HSM path: the companion's command for this request's algorithm (lib/hsm runs it).
      const hsm = hsmCommand({ keySpec: "SYMMETRIC_DEFAULT", wrappingAlgorithm: "RSAES_OAEP_SHA_256" });
      expect(await flow.command(/Or wrap inside your HSM/)).toBe(hsm.command);

      await flow.upload(join(work, "EncryptedKeyMaterial.bin"));
      const uploadedAt = Date.now();
      await expect(flow.state("Awaiting approval")).toBeVisible();
      // The approvers' webhook hears of it within seconds, signed (the listener refuses what is not), with a link.
      await expect
        .poll(async () => {
          const received = (await (await page.request.get(`${WEBHOOK_URL}received`)).json()) as Array<{ message: { kind: string; requestId: string; link: string } | null }>;
          return received.find((r) => r.message?.kind === "approval.needed" && r.message.requestId === requestId)?.message?.link ?? null;
        }, { timeout: 10_000 })
        .toBe(`${DEMO_URL}/imports/${requestId}`);
      expect(Date.now() - uploadedAt).toBeLessThan(10_000);
      await expect(flow.section("Wrapped key material")).toContainText(sha256(blob));
      // The SHA-256 the HSM command prints is to be compared with the upload's, shown beside the command too.
      await expect(flow.section("Wrap the key material (on your workstation)")).toContainText(`the current upload's is ${sha256(blob)}`);
      await expectAccessible(page);

      // An approver who neither requested nor uploaded it sees everything needed, and approves.
      const approver = await signedIn(browser, "demo-avery");
      await approver.goto("/approvals");
      const card = approver.getByRole("article", { name: /Import into alias\/payments\/card-data-kek/ });
      await expect(card).toContainText(sha256(blob));
      await expect(card).toContainText(sha256(der));
      await expect(card).toContainText(sha256(token));
      await expect(card).toContainText("E2E: first import of the card data KEK");
      await card.getByLabel(/Comment/).fill("Hash confirmed with Casey by phone");
      await card.getByRole("checkbox", { name: /compared the SHA-256 of the uploaded blob with the uploader/ }).check();
      await card.getByRole("button", { name: "Approve import" }).click();
      await approver.waitForURL(new RegExp(`/imports/${requestId}$`), { timeout: 60_000 });
      await expect(approver.getByText("Key material imported.")).toBeVisible();
      await expect(approver.getByRole("region", { name: "Verification" })).toContainText("Encrypt/Decrypt round trip passed");
      // Casey's page, open all along, follows without a reload (it polls a change stamp every 3 s).
      await expect(flow.state("Imported")).toBeVisible();

      // The key shows Enabled (the inventory was refreshed for it).
      await page.goto(keyUrl);
      await expect(page.getByText("Enabled", { exact: true }).first()).toBeVisible();

      // Deleting the material is a request of its own, approved the same way.
      await flow.keyMaterialPanel().getByRole("button", { name: /Request deletion of key material/ }).click();
      await page.getByRole("form", { name: "Request deletion of key material" }).getByLabel("Justification").fill("E2E: rehearsal over, remove the material");
      await page.getByRole("button", { name: "Request deletion", exact: true }).click();
      await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/);
      const deletionId = page.url().split("/").pop()!;
      await expect(flow.state("Awaiting approval")).toBeVisible();
      await expect(page.getByRole("region", { name: /^Approval/ })).toContainText("An approver who neither requested nor uploaded it decides.");

      await approver.goto(`/imports/${deletionId}`);
      await approver.getByRole("checkbox", { name: /this key material is to be deleted/ }).check();
      await approver.getByRole("button", { name: "Approve deletion" }).click();
      await expect(approver.getByText("Key material deleted.")).toBeVisible({ timeout: 60_000 });
      await page.goto(keyUrl);
      await expect(page.getByText("Pending import", { exact: true }).first()).toBeVisible();

      // The audit trail of the import holds every step, in order.
      await page.goto(`/imports/${requestId}`);
      // A retrying assertion: the history streams in after navigation, so a one-shot read can see it empty.
      const steps = page.getByRole("list", { name: "History of this request" }).locator(":scope > li > p:first-of-type > span:first-child");
      await expect(steps).toHaveText([
        "Import requested",
        "Import parameters issued",
        "Parameters downloaded",
        "Parameters downloaded",
        "Parameters downloaded",
        "Parameters downloaded",
        "Wrapped material uploaded",
        "Import approved",
        "Key material imported",
        "Import verified",
      ]);
      await approver.context().close();
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

test.describe("recovering a failed import", () => {
  test.use({ signedInAs: "custodian" });

  test("an approver must tick the confirmation; after KMS refuses the blob, the custodian downloads again, uploads anew, and a fresh approval imports it", async ({
    page,
    browser,
    expectAccessible,
  }) => {
    test.slow();
    const work = await mkdtemp(join(tmpdir(), "keyport-e2e-recovery-"));
    try {
      const flow = new ImportsFlow(page);
      await flow.openKey("alias/payments/fraud-score-mac");
      await flow.startImport({ justification: "E2E: recover a failed import", algorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" });
      const requestId = await flow.submitStart();

      // The page shows the SHA-256 of exactly what the PEM and zip downloads serve.
      const pem = await flow.download(/WrappingPublicKey\.pem/);
      await expect(flow.downloads()).toContainText(sha256(pem));
      const zip = await flow.download(/Download all/);
      await expect(flow.downloads()).toContainText(sha256(zip));

      // Right size, wrong bytes: KMS will refuse to unwrap them.
      await bash("openssl rand -out EncryptedKeyMaterial.bin 256", work);
      await flow.upload(join(work, "EncryptedKeyMaterial.bin"));

      // The approver's card leads to the request page, and approving needs the confirmation ticked.
      const approver = await signedIn(browser, "demo-avery");
      await approver.goto("/approvals");
      const card = approver.getByRole("article", { name: /Import into alias\/payments\/fraud-score-mac/ });
      await expect(card.getByRole("link", { name: new RegExp(`Open request ${requestId.slice(0, 8)}`) })).toHaveAttribute("href", `/imports/${requestId}`);
      await card.getByRole("button", { name: "Approve import" }).click();
      await expect(card.getByText("Tick the box to confirm you checked this with the uploader outside Keyport before approving.")).toBeVisible();
      await approver.reload();
      await expect(card).toContainText("0 of 1 approval");
      await card.getByRole("checkbox", { name: /compared the SHA-256 of the uploaded blob with the uploader/ }).check();
      await card.getByRole("button", { name: "Approve import" }).click();
      await approver.waitForURL(new RegExp(`/imports/${requestId}$`), { timeout: 60_000 });
      await expect(approver.getByRole("main").getByRole("alert")).toContainText("invalid_ciphertext");

      // The custodian is told what is next, and is offered exactly that: the files and the upload.
      await page.reload();
      await expect(flow.state("Failed")).toBeVisible();
      await expect(page.getByRole("main").getByRole("note").filter({ hasText: /^Next step:/ })).toHaveText(
        "Next step: Download the parameters again and wrap the material with this request's WrappingPublicKey.bin, then upload it; a fresh approval is needed.",
      );
      await expect(flow.downloads().getByRole("link")).toHaveCount(4);
      await expect(page.getByRole("form", { name: "Upload wrapped key material" })).toBeVisible();
      await expectAccessible(page);

      const der = await flow.download(/WrappingPublicKey\.bin/);
      const token = await flow.download(/ImportToken\.bin/);
      await writeFile(join(work, "WrappingPublicKey.bin"), der);
      await writeFile(join(work, "ImportToken.bin"), token);
      await bash(await flow.command(/Check the downloaded files/), work);
      await bash(await flow.command(/Have the key material/), work);
      await bash(await flow.command(/Wrap the material/), work);
      const blob = await readFile(join(work, "EncryptedKeyMaterial.bin"));
      await flow.upload(join(work, "EncryptedKeyMaterial.bin"));
      await expect(flow.state("Awaiting approval")).toBeVisible();
      await expect(flow.section("Wrapped key material")).toContainText(sha256(blob));

      // Avery's approval was of the refused blob: a fresh one is needed, and imports it.
      await approver.reload();
      const decision = approver.getByRole("region", { name: /^Approval \(0 of 1\)/ });
      await decision.getByRole("checkbox", { name: /compared the SHA-256/ }).check();
      await decision.getByRole("button", { name: "Approve import" }).click();
      await expect(approver.getByText("Key material imported.")).toBeVisible({ timeout: 60_000 });
      // The history shows what each approver confirmed, word for word.
      await expect(approver.getByRole("list", { name: "History of this request" })).toContainText(
        "ConfirmedI compared the SHA-256 of the uploaded blob with the uploader, outside Keyport (by phone or in person), and they match.",
      );
      await approver.context().close();
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

test.describe("dual control", () => {
  test.use({ signedInAs: "admin" });

  test("refuses self-approval, even to an admin; auditors can follow but neither download nor decide", async ({ page, browser, expectAccessible }) => {
    test.slow();
    const work = await mkdtemp(join(tmpdir(), "keyport-e2e-self-"));
    try {
      const flow = new ImportsFlow(page);
      await flow.openKey("alias/payments/webhook-signing");
      await flow.startImport({ justification: "E2E: an admin tries to approve their own import" });
      const requestId = await flow.submitStart();
      // Right size, not real material: nobody will import it.
      await bash("openssl rand -out EncryptedKeyMaterial.bin 512", work);
      await flow.upload(join(work, "EncryptedKeyMaterial.bin"));

      await page.goto("/approvals");
      const card = page.getByRole("article", { name: /Import into alias\/payments\/webhook-signing/ });
      await expect(card.getByRole("note")).toHaveText(
        "You started this request, so you cannot approve it. Dual control needs a second person: another approver must approve it.",
      );
      await expect(card.getByRole("button", { name: "Approve import" })).toHaveCount(0);
      await expectAccessible(page);

      const auditor = await signedIn(browser, "demo-riley");
      await auditor.goto(`/imports/${requestId}`);
      await expect(auditor.getByText("Only approvers decide.").or(auditor.getByText("An approver who neither requested nor uploaded it decides."))).toBeVisible();
      await expect(auditor.getByRole("list", { name: "Downloads" }).getByRole("link")).toHaveCount(0);
      const refused = await auditor.request.get(`/api/imports/${requestId}/files/ImportToken.bin`);
      expect(refused.status()).toBe(403);
      await auditor.context().close();

      // The admin closes it again.
      await page.goto(`/imports/${requestId}`);
      await page.getByRole("button", { name: "Cancel request…" }).click();
      await page.getByRole("button", { name: "Cancel the request" }).click();
      await expect(flow.state("Cancelled")).toBeVisible();
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  test("answers 404 for an unknown or malformed request", async ({ page }) => {
    expect((await page.goto("/imports/00000000-0000-4000-8000-000000000000"))?.status()).toBe(404);
    expect((await page.goto("/imports/not-a-request"))?.status()).toBe(404);
    const download = await page.request.get("/api/imports/not-a-request/files/ImportToken.bin");
    expect(download.status()).toBe(404);
  });
});

test.describe("the pending view, as an auditor reads it", () => {
  test.use({ signedInAs: "custodian" });

  test("shows who downloaded which parameters and when, in UTC beside the relative time, and exports each list as CSV and JSON, audited", async ({
    page,
    browser,
    expectAccessible,
  }) => {
    test.slow();
    const alias = "alias/data/partner-export-signing";
    const flow = new ImportsFlow(page);
    await flow.openKey(alias);
    await flow.startImport({ justification: "E2E: parameters an auditor follows on the pending view" });
    const requestId = await flow.submitStart();
    await flow.download(/ImportToken\.bin/);
    await flow.download(/ImportParameters.*\.zip/);

    // A custodian acts on requests; exporting them as evidence is for auditors and admins, checked by the route too.
    await page.goto("/imports");
    await expect(page.getByRole("link", { name: /as CSV$/ })).toHaveCount(0);
    expect((await page.request.get("/api/imports/pending/export?list=open-requests&format=csv")).status()).toBe(403);

    // The filters live in the URL: the search box applies after a pause, a menu at once, and both survive a reload.
    const filters = page.getByRole("search", { name: "Filter pending lists" });
    await filters.getByLabel("Search", { exact: true }).fill("partner-export-signing");
    await expect(page).toHaveURL(/[?&]q=partner-export-signing/);
    const outstandingTable = page.getByRole("table", { name: "Import parameters outstanding" });
    await expect(outstandingTable.getByRole("row").filter({ hasText: alias })).toBeVisible();
    await filters.getByLabel("Material expires", { exact: true }).selectOption("expired");
    await expect(page).toHaveURL(/[?&]expiry=expired/);
    await page.reload();
    await expect(filters.getByLabel("Material expires", { exact: true })).toHaveValue("expired");
    await expect(filters.getByLabel("Search", { exact: true })).toHaveValue("partner-export-signing");
    await filters.getByRole("link", { name: "Clear filters" }).click();
    await expect(page).toHaveURL(/\/imports$/);
    await expect(filters.getByLabel("Search", { exact: true })).toHaveValue("");

    const auditor = await signedIn(browser, "demo-riley");
    try {
      await auditor.goto("/imports");
      const table = auditor.getByRole("table", { name: "Import parameters outstanding" });
      const row = table.getByRole("row").filter({ hasText: alias });
      // The line under the request's row.
      const downloads = table.getByRole("row").filter({ has: auditor.getByRole("list", { name: "Downloads, newest first" }) }).getByRole("listitem");
      await expect(downloads).toHaveCount(2);
      await expect(downloads.first()).toContainText(/ImportParameters\.zip by Casey Nakamura/);
      await expect(downloads.nth(1)).toContainText(/ImportToken\.bin by Casey Nakamura/);
      // Relative and absolute side by side; the absolute one machine-readable, in UTC.
      await expect(downloads.first()).toContainText(/(seconds?|minutes?) ago · \d\d \w{3} \d{4}, \d\d:\d\d UTC/);
      await expect(downloads.first().locator("time")).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      await expect(row).toContainText(/until \d\d \w{3} \d{4}, \d\d:\d\d UTC/);
      await expectAccessible(auditor);

      // Each list links its own export, with the filters in view.
      const outstanding = auditor.getByRole("region", { name: /^Import parameters outstanding \d+$/ });
      const [csvDownload] = await Promise.all([auditor.waitForEvent("download"), outstanding.getByRole("link", { name: "Import parameters outstanding as CSV" }).click()]);
      expect(csvDownload.suggestedFilename()).toMatch(/^keyport-pending-open-requests-\d{8}-\d{6}\.csv$/);
      const csv = await readFile((await csvDownload.path())!, "utf8");
      expect(csv.split("\r\n")[0]).toMatch(/^request_id,kind,state,/);
      expect(csv).toContain(requestId);
      expect(csv).toMatch(/Z ImportToken\.bin by Casey Nakamura <demo-casey>/);

      const jsonHref = await auditor.getByRole("link", { name: "Keys waiting for key material as JSON" }).getAttribute("href");
      const json = await auditor.request.get(jsonHref!);
      const body = (await json.json()) as { rows: Array<{ alias: string | null; open_request_id: string | null }> };
      expect(body.rows.find((r) => r.alias === alias)?.open_request_id).toBe(requestId);

      const trail = await auditor.request.get("/api/audit/export?format=jsonl&action=import.pending_exported");
      const events = (await trail.text()).trim().split("\n").map((line) => JSON.parse(line) as { actor: { subject: string }; details: { list: string; format: string } });
      expect(events.filter((e) => e.actor.subject === "demo-riley").map((e) => `${e.details.list}.${e.details.format}`)).toEqual(
        expect.arrayContaining(["open-requests.csv", "keys-waiting.json"]),
      );
      await auditor.screenshot({ path: test.info().outputPath("pending-view.png"), fullPage: true });
    } finally {
      await auditor.context().close();
    }

    await page.goto(`/imports/${requestId}`);
    await page.getByRole("button", { name: "Cancel request…" }).click();
    await page.getByRole("button", { name: "Cancel the request" }).click();
    await expect(flow.state("Cancelled")).toBeVisible();
  });
});

test.describe("on a phone-sized screen", () => {
  test.use({ signedInAs: "custodian", viewport: PHONE });

  test("the start form, a request page and its approval card fit the screen", async ({ page, browser }) => {
    test.slow();
    const work = await mkdtemp(join(tmpdir(), "keyport-e2e-phone-"));
    try {
      const flow = new ImportsFlow(page);
      await flow.openKey("alias/data/batch-integrity");
      await expectFitsViewport(page);
      await flow.startImport({ justification: "E2E: the import pages at phone width" });
      await expectFitsViewport(page);
      const requestId = await flow.submitStart();
      await expect(flow.downloads()).toBeVisible();
      await expectFitsViewport(page);
      // Right size, not real material: nobody will import it.
      await bash("openssl rand -out EncryptedKeyMaterial.bin 512", work);
      await flow.upload(join(work, "EncryptedKeyMaterial.bin"));
      await page.reload();
      await expectFitsViewport(page);

      const approver = await (await browser.newContext({ storageState: storageStatePath("demo-avery"), viewport: PHONE })).newPage();
      await approver.goto("/approvals");
      await expect(approver.getByRole("article", { name: /Import into alias\/data\/batch-integrity/ })).toBeVisible();
      await expectFitsViewport(approver);
      await approver.context().close();

      await page.goto(`/imports/${requestId}`);
      await page.getByRole("button", { name: "Cancel request…" }).click();
      await page.getByRole("button", { name: "Cancel the request" }).click();
      await expect(flow.state("Cancelled")).toBeVisible();
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

async function emulatorClock(at: number) {
  const response = await fetch(EMULATOR_ADMIN, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ set: at }) });
  expect(response.ok, "the emulator's admin API moved its clock").toBe(true);
}

async function appClock(admin: APIRequestContext, body: { advanceMs: number } | { offsetMs: number }) {
  const response = await admin.post("/api/demo/clock", { data: body });
  expect(response.status()).toBe(200);
  return (await response.json()) as { now: number; offsetMs: number };
}

/** The "When" column of /audit, oldest event first, as epoch ms (minute precision, as shown). */
async function auditTimes(page: Page): Promise<Array<{ seq: number; at: number }>> {
  const rows = page.getByRole("table", { name: "Audit events, newest first" }).locator("tbody tr");
  await expect(rows.first()).toBeVisible();
  const cells = await rows.evaluateAll((trs) => trs.map((tr) => [tr.children[0]?.textContent ?? "", tr.children[1]?.textContent ?? ""]));
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return cells
    .map(([seq, when]) => {
      const m = /^(\d{2}) (\w{3}) (\d{4}), (\d{2}):(\d{2}) UTC$/.exec(when!.trim());
      expect(m, `an audit time as shown: "${when}"`).not.toBeNull();
      return { seq: Number(seq), at: Date.UTC(Number(m![3]), months.indexOf(m![2]!), Number(m![1]), Number(m![4]), Number(m![5])) };
    })
    .reverse();
}

test.describe("a multi-Region key", () => {
  test.use({ signedInAs: "custodian" });

  test("with two replicas goes from PendingImport in every Region to Enabled in every Region in one session, with one approval, verified across Regions", async ({
    page,
    browser,
    expectAccessible,
  }) => {
    test.slow();
    const work = await mkdtemp(join(tmpdir(), "keyport-e2e-session-"));
    try {
      const flow = new ImportsFlow(page);
      await flow.openKey("alias/keyport/treasury-mrk");
      await expect(page.getByRole("table", { name: "Regions of this multi-Region key" }).getByText("Pending import")).toHaveCount(3);
      await flow.keyMaterialPanel().getByRole("link", { name: "Import in several Regions" }).click();
      const form = page.getByRole("form", { name: "Start a multi-Region import" });
      // Every Region still waiting for material is chosen for you.
      await expect(form.getByRole("checkbox", { name: /eu-west-1/ })).toBeChecked();
      await expect(form.getByRole("checkbox", { name: /us-east-1/ })).toBeChecked();
      await expect(form.getByRole("checkbox", { name: /eu-central-1/ })).toBeChecked();
      await form.getByRole("radio", { name: "Does not expire" }).check();
      await form.getByLabel("Justification").fill("E2E: first import of the treasury KEK in all three Regions");
      await expectAccessible(page);
      await form.getByRole("button", { name: "Get import parameters in 3 Regions" }).click();
      await page.waitForURL(/\/imports\/sessions\/[0-9a-f-]{36}$/, { timeout: 60_000 });
      await expect(page.getByRole("heading", { level: 1, name: "Import alias/keyport/treasury-mrk in 3 Regions" })).toBeVisible();
      await expect(page.getByText("The earliest import token governs the session", { exact: false })).toBeVisible();

      // One zip for every Region; its wrap-all.sh wraps one material for each Region's public key.
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /Download every Region/ }).click()]);
      const zip = unzipSync(await readFile((await download.path())!));
      for (const [name, bytes] of Object.entries(zip)) {
        await bash(`mkdir -p "$(dirname '${name}')"`, work);
        await writeFile(join(work, name), bytes);
      }
      await bash("openssl rand -out material.bin 32 && bash wrap-all.sh material.bin", work);
      const blobs: Record<string, string> = {};
      for (const region of ["eu-west-1", "eu-central-1", "us-east-1"]) {
        const card = page.getByRole("region", { name: new RegExp(`^${region}`) });
        const upload = card.getByRole("form", { name: "Upload wrapped key material" });
        await upload.getByLabel(/EncryptedKeyMaterial\.bin/).setInputFiles(join(work, region, "EncryptedKeyMaterial.bin"));
        await upload.getByRole("button", { name: "Upload", exact: true }).click();
        blobs[region] = sha256(await readFile(join(work, region, "EncryptedKeyMaterial.bin")));
        await expect(card).toContainText(blobs[region]!);
      }
      await expectAccessible(page);
      const sessionUrl = page.url();

      // An approver decides once, comparing each Region's SHA-256.
      const approver = await signedIn(browser, "demo-avery");
      await approver.goto(sessionUrl);
      const decision = approver.getByRole("region", { name: "Approval for every Region" });
      for (const hash of Object.values(blobs)) await expect(decision).toContainText(hash);
      await decision.getByRole("checkbox", { name: /compared the SHA-256 of the uploaded blob with the uploader/ }).check();
      await decision.getByRole("button", { name: "Approve the import in 3 Regions" }).click();
      await expect(decision.getByText(/^Imported in eu-west-1, eu-central-1, us-east-1\.$/)).toBeVisible({ timeout: 60_000 });
      await expect(approver.getByRole("region", { name: "Do the Regions hold the same material?" }).getByText("Same material in every Region")).toBeVisible();
      for (const region of ["eu-west-1", "eu-central-1", "us-east-1"]) {
        await expect(approver.getByRole("region", { name: new RegExp(`^${region}`) }).getByText("Imported", { exact: true })).toBeVisible();
      }
      // The custodian's page follows without a reload (it polls the session's change stamp).
      await expect(page.getByRole("region", { name: "Approval for every Region" }).getByText(/^Imported in eu-west-1, eu-central-1, us-east-1\.$/)).toBeVisible({
        timeout: 30_000,
      });
      await approver.context().close();
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

test.describe("schedules", () => {
  test.use({ signedInAs: "custodian" });

  test("a reimport schedule set on a key shows the key due on the schedule page, whose one click opens a reimport copying the last import", async ({
    page,
    browser,
    expectAccessible,
  }) => {
    test.slow();
    const alias = "alias/payments/api-request-signing";
    const work = await mkdtemp(join(tmpdir(), "keyport-e2e-schedule-"));
    const approver = await signedIn(browser, "demo-avery");
    try {
      // First, an import through Keyport of material that expires in 20 days: the choices a reimport copies.
      const flow = new ImportsFlow(page);
      await flow.openKey(alias);
      const keyUrl = page.url();
      const form = await flow.startImport({ justification: "E2E: RSA material that expires, for a reimport schedule", expires: true });
      const validTo = new Date(Date.now() + 20 * 24 * 3600_000).toISOString().slice(0, 10);
      await form.getByLabel("ValidTo (00:00 UTC of this date)").fill(validTo);
      const first = await flow.submitStart();
      await writeFile(join(work, "WrappingPublicKey.bin"), await flow.download(/WrappingPublicKey\.bin/));
      await bash("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out private-key.pem 2>/dev/null", work);
      await bash(await flow.command(/Convert the private key/), work);
      await bash(await flow.command(/Wrap the material/), work);
      await flow.upload(join(work, "EncryptedKeyMaterial.bin"));
      await approver.goto(`/imports/${first}`);
      await approver.getByRole("checkbox", { name: /compared the SHA-256 of the uploaded blob with the uploader/ }).check();
      await approver.getByRole("button", { name: "Approve import" }).click();
      await expect(approver.getByText("Key material imported.")).toBeVisible({ timeout: 60_000 });

      // The key's own schedule: reimport 14 days before ValidTo, so it falls due within the week.
      await page.goto(keyUrl);
      const schedule = page.getByRole("form", { name: "This key's schedule" });
      await schedule.getByLabel("Reimport before ValidTo").fill("181");
      await schedule.getByRole("button", { name: "Save schedule" }).click();
      await expect(schedule.getByText("Reimport before ValidTo must be a whole number of days from 1 to 180.")).toBeVisible();
      await schedule.getByLabel("Reimport before ValidTo").fill("14");
      await schedule.getByRole("button", { name: "Save schedule" }).click();
      await expect(schedule.getByRole("status")).toHaveText("Schedule saved.");
      await expect(page.getByRole("region", { name: "Schedule", exact: true })).toContainText("This key's own: reimport 14 days before ValidTo.");

      await page.goto("/schedules");
      const glance = page.getByRole("region", { name: "At a glance" });
      await expect(page.getByRole("region", { name: "Reimports due this week" }).getByRole("row").filter({ hasText: alias })).toContainText(
        "14 days before, key's own",
      );
      await expectAccessible(page);
      // The list alone, paged, its place in the URL; the one click works from there as on the overview.
      await glance.getByRole("link", { name: /Due this week/ }).click();
      await page.waitForURL(/\/schedules\?list=this_week$/);
      await expect(page.getByRole("navigation", { name: "Pages of keys due this week" })).toBeVisible();
      await expect(page.getByRole("region", { name: "Scheduled rotations" })).toHaveCount(0);
      const row = page.getByRole("region", { name: "Reimports due this week" }).getByRole("row").filter({ hasText: alias });
      await expect(row).toContainText("14 days before, key's own");
      await expectAccessible(page);
      await row.getByRole("button", { name: `Start reimport of ${alias}` }).click();
      await page.waitForURL(/\/imports\/[0-9a-f-]{36}$/, { timeout: 20_000 });
      expect(page.url()).not.toContain(first);
      await expect(flow.state("Parameters issued")).toBeVisible();
      await expect(page.getByRole("main")).toContainText("RSA_AES_KEY_WRAP_SHA_256");
      await expect(page.getByRole("main")).toContainText("Scheduled reimport of the same key material before it expires on");
    } finally {
      await approver.context().close();
      await rm(work, { recursive: true, force: true });
    }
  });
});

test.describe("token expiry", () => {
  test.use({ signedInAs: "custodian" });

  test("after an admin moves the demo clock past a token's expiry, a reload shows it expired everywhere, before any route has run", async ({
    page,
    browser,
    expectAccessible,
  }) => {
    test.slow();
    const adminContext = await browser.newContext({ storageState: storageStatePath("demo-morgan") });
    const admin = adminContext.request;
    const adminPage = await adminContext.newPage();
    const clock = new DemoClock(adminPage);
    try {
      // The demo clock control: admins only (production answers 404), and never from another website.
      expect((await admin.get("/api/demo/clock")).status()).toBe(200);
      expect((await page.request.post("/api/demo/clock", { data: { advanceMs: 1000 } })).status()).toBe(403);
      const forged = await admin.post("/api/demo/clock", { data: { advanceMs: 3600_000 }, headers: { Origin: "http://evil.example" } });
      expect(forged.status()).toBe(403);
      expect(await forged.json()).toMatchObject({ code: "cross_origin", message: expect.stringMatching(/another website/) });
      expect(((await (await admin.get("/api/demo/clock")).json()) as { offsetMs: number }).offsetMs).toBe(0);

      const flow = new ImportsFlow(page);
      await flow.openKey("alias/payments/wallet-signing");
      await flow.startImport({ justification: "E2E: parameters left to expire" });

      // KMS issues the parameters "23 h 52 min ago" by its clock: they have about eight minutes left (a margin
      // wide enough that they cannot expire by the real clock on a slow machine before the reload below).
      await emulatorClock(Date.now() - 24 * 3600_000 + 8 * 60_000);
      let requestId: string;
      try {
        requestId = await flow.submitStart();
      } finally {
        await emulatorClock(Date.now());
      }
      const requestUrl = page.url();
      await expect(flow.state("Parameters issued")).toBeVisible();
      await expect(flow.countdown()).toHaveAttribute("data-level", "urgent");
      await expect(flow.downloads().getByRole("link", { name: /ImportToken\.bin/ })).toBeVisible();
      // Leave the page, so that its change poll (a route handler) cannot run before the reload below.
      await page.goto("about:blank");

      // An admin moves the clock ten minutes on, from the DEMO marker; everyone sees the offset there.
      await adminPage.goto("/keys");
      await expect(clock.marker()).toHaveText(/^Demo/);
      await clock.moveByMinutes(10, "Demo · clock \\+10 min");

      // The custodian reloads the request page: the first thing to run is the page itself, with the moved clock.
      await page.goto(requestUrl);
      await expect(flow.state("Expired")).toBeVisible();
      await expect(page.getByRole("main").getByRole("alert")).toContainText("Expired. The import token expired");
      await expect(page.getByRole("main").locator("[data-level]").filter({ hasText: /left/ })).toHaveCount(0);
      await expect(flow.downloads().getByRole("link")).toHaveCount(0);
      await expect(page.getByRole("form", { name: "Upload wrapped key material" })).toHaveCount(0);
      await expect(page.getByRole("banner").getByTestId("demo-marker")).toHaveText("Demo · clock +10 min");
      await expectAccessible(page);

      // The pending list says so too.
      await page.goto("/imports");
      await expect(page.getByRole("table", { name: "Failed or expired import requests" })).toContainText("alias/payments/wallet-signing");
      await expect(page.getByRole("region", { name: /^Import parameters outstanding \d+$/ })).not.toContainText("alias/payments/wallet-signing");

      // Signed in before the move, still signed in: for pages and for the API alike.
      expect((await page.request.get(`/api/imports/stamp?request=${requestId}`)).status()).toBe(200);
      const download = await page.request.get(`/api/imports/${requestId}/files/ImportToken.bin`);
      expect(download.status()).toBe(410);
      expect(((await download.json()) as { message: string }).message).toMatch(/The import parameters expired at .*Reissue the parameters/);

      // The custodian reissues under the moved clock (KMS's clock moved with Keyport's), then the admin puts the
      // clock back, and the request is closed: its audit times must not run backwards.
      await page.goto(requestUrl);
      await page.getByRole("button", { name: "Reissue parameters…" }).click();
      await page.getByRole("button", { name: "Reissue parameters", exact: true }).click();
      await expect(flow.state("Parameters issued")).toBeVisible();
      await expect(flow.countdown()).toHaveAttribute("data-level", "ok");
      await clock.reset();
      await page.reload();
      await page.getByRole("button", { name: "Cancel request…" }).click();
      await page.getByRole("button", { name: "Cancel the request" }).click();
      await expect(flow.state("Cancelled")).toBeVisible();
      // The expiry the pages only showed was recorded once, by the reissue.
      await expect(page.getByRole("list", { name: "History of this request" }).getByText("Import parameters expired")).toHaveCount(1);

      await adminPage.goto(`/audit?request=${requestId}`);
      const times = await auditTimes(adminPage);
      expect(times.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < times.length; i++) {
        expect(times[i]!.seq).toBeGreaterThan(times[i - 1]!.seq);
        expect(times[i]!.at, `event #${times[i]!.seq} is not earlier than #${times[i - 1]!.seq}`).toBeGreaterThanOrEqual(times[i - 1]!.at);
      }
    } finally {
      await appClock(admin, { offsetMs: 0 });
      await emulatorClock(Date.now());
      await adminContext.close();
    }
  });
});
