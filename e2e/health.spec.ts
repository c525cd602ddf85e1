import { expect, test } from "@playwright/test";

test("GET /api/health tells a stranger only whether Keyport is up", async ({ request }) => {
  const response = await request.get("/api/health", { maxRedirects: 0 });
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toBe("no-store");
  // No versions, no driver: nothing a stranger could look up a vulnerability for.
  expect(await response.json()).toEqual({ ok: true });
});
