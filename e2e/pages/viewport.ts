import { expect, type Page } from "@playwright/test";

/** A common phone's CSS width: the narrowest screen Keyport promises to fit. */
export const PHONE = { width: 390, height: 844 };

/**
 * Fails if the page scrolls sideways: nothing may be wider than the viewport, only a table's own scroll
 * container may scroll. Checks that the viewport really is phone-sized, so the check cannot pass on a
 * desktop-wide page by accident.
 */
export async function expectFitsViewport(page: Page) {
  const viewport = page.viewportSize();
  expect(viewport?.width, "the page is measured at phone width").toBe(PHONE.width);
  await page.waitForLoadState("load");
  const widths = await page.evaluate(() => ({ document: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
  expect(widths.document, `${new URL(page.url()).pathname} is ${widths.document} px wide at ${PHONE.width} px`).toBeLessThanOrEqual(PHONE.width);
  expect(widths.body, `${new URL(page.url()).pathname}'s body is ${widths.body} px wide`).toBeLessThanOrEqual(PHONE.width);
}
