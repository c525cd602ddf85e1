import { request as httpRequest } from "node:http";
import { expect, test } from "@playwright/test";
import { DEMO_URL } from "./servers";

/**
 * Paths whose percent-encoding does not decode (an overlong UTF-8 dot, a truncated escape, a non-hex escape).
 * Sent raw over node:http: a browser, and Playwright's request client, would normalise or refuse them first.
 */
const BAD_PATHS = [
  "/api/imports/x/files/%C0%AE",
  "/api/imports/%E0%A4%A/files/x",
  "/api/keys/%ZZ/x",
  "/imports/%C0%AE",
  "/keys/%E0%A4%A/eu-west-1/x",
  "/%FF",
];

function rawGet(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(DEMO_URL);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: "GET", path }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

for (const path of BAD_PATHS) {
  test(`a path that does not decode is a 400 with the security headers, signed out: ${path}`, async () => {
    const response = await rawGet(path);
    expect(response.status).toBe(400);
    expect(response.headers["x-content-type-options"]).toBe("nosniff");
    expect(response.headers["x-frame-options"]).toBe("DENY");
    expect(response.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.body).toMatch(/not a valid address/i);
  });
}

test("a path that decodes still reaches the route's own checks", async () => {
  // A valid escape (%41 is "A") is no encoding problem: the route answers as it does without one (401, signed out).
  const response = await rawGet("/api/imports/x/files/%41");
  expect(response.status).toBe(401);
});
