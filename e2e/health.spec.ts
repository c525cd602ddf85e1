import { expect, test } from "@playwright/test";

test("GET /api/health answers without a session and reports the database", async ({ request }) => {
  const response = await request.get("/api/health", { maxRedirects: 0 });
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toBe("no-store");
  const body = await response.json();
  expect(body).toMatchObject({ status: "ok", database: { reachable: true } });
  expect(["pglite", "postgres"]).toContain(body.database.driver);
  expect(body.database.serverVersion).toMatch(/PostgreSQL \d+/);
  expect(typeof body.version).toBe("string");
  // Nothing about the deployment beyond versions: no targets, accounts or settings.
  expect(JSON.stringify(body)).not.toMatch(/arn:aws|accountId|secret/i);
});
