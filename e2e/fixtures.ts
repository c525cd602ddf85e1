import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";

/**
 * Every test gets a page that fails the test on a Content-Security-Policy
 * violation or an uncaught error, and an `expectAccessible` check.
 */
export const test = base.extend<{ page: Page; expectAccessible: (page: Page) => Promise<void> }>({
  page: async ({ page }, use) => {
    const problems: string[] = [];
    page.on("console", (message) => {
      const text = message.text();
      if (message.type() === "error" && /Content Security Policy|Refused to (load|execute|apply)/i.test(text)) problems.push(text);
    });
    page.on("pageerror", (error) => problems.push(`Uncaught: ${error.message}`));
    await use(page);
    expect(problems, "the page raised CSP violations or uncaught errors").toEqual([]);
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures take their dependencies as a destructured first argument.
  expectAccessible: async ({}, use) => {
    await use(async (page: Page) => {
      const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect(
        serious.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
      ).toEqual([]);
    });
  },
});

export { expect };
