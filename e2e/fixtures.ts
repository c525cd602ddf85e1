import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import path from "node:path";
import { DEMO_PEOPLE, type DemoPerson } from "../lib/auth/demo-people";
import { ROLES, type Role } from "../lib/config/schema";

/** Where the demo-sign-in setup project saves a demo person's signed-in storage state. */
export function storageStatePath(personId: string): string {
  const runDir = process.env.KEYPORT_E2E_DATA_DIR;
  if (!runDir) throw new Error("KEYPORT_E2E_DATA_DIR is not set: run the tests through playwright.config.ts");
  return path.join(runDir, "storage-states", `${personId}.json`);
}

/** A role (its first demo person, e.g. Casey for "custodian") or a demo person's id (e.g. "demo-devon"). */
export type SignedInAs = Role | string;

export function demoPerson(who: SignedInAs): DemoPerson {
  const person = (ROLES as readonly string[]).includes(who)
    ? DEMO_PEOPLE.find((p) => p.roles.includes(who as Role))
    : DEMO_PEOPLE.find((p) => p.id === who);
  if (!person) throw new Error(`No demo person for "${who}"`);
  return person;
}

/**
 * Every test gets a page that fails the test on a Content-Security-Policy violation or an uncaught error,
 * and an `expectAccessible` check. `test.use({ signedInAs: "approver" })` starts the test signed in as
 * that demo person (one storage state per person, made by e2e/demo-sign-in.setup.ts); the default is
 * signed out.
 */
export const test = base.extend<{ page: Page; expectAccessible: (page: Page) => Promise<void>; signedInAs: SignedInAs | undefined }>({
  signedInAs: [undefined, { option: true }],
  // Fixtures hand their value on through a callback Playwright calls `use`; named `provide` here because
  // the React hooks lint rule takes any call to `use` for React's hook.
  storageState: async ({ signedInAs, storageState }, provide) => {
    await provide(signedInAs ? storageStatePath(demoPerson(signedInAs).id) : storageState);
  },
  page: async ({ page }, provide) => {
    const problems: string[] = [];
    page.on("console", (message) => {
      const text = message.text();
      if (message.type() === "error" && /Content Security Policy|Refused to (load|execute|apply)/i.test(text)) problems.push(text);
    });
    page.on("pageerror", (error) => problems.push(`Uncaught: ${error.message}`));
    await provide(page);
    expect(problems, "the page raised CSP violations or uncaught errors").toEqual([]);
  },
  // Playwright fixtures take their dependencies as a destructured first argument, even when there are none.
  expectAccessible: async ({}, provide) => {
    await provide(async (page: Page) => {
      const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect(
        serious.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
      ).toEqual([]);
    });
  },
});

export { expect };
