import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { DEMO_URL } from "./servers";

/**
 * Posts to pages that Next.js would answer with a 500: a server action call (or a no-JavaScript action form)
 * from another site, and an action call whose body React's decoder trips on. The proxy refuses both first,
 * with a 4xx and the usual headers — also when a prefetch header asks the proxy's matcher to skip the request.
 * Sent raw over node:http, signed out: the refusals come before any session is read.
 */

/** The id of a real action of this build, as the page that carries it would send it. */
function actionId(name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(process.cwd(), ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName: string; filename: string }>;
  };
  const found = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === name && !entry.filename.includes("__fixtures__"));
  if (!found) throw new Error(`No action ${name} in the build`);
  return found[0];
}

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

function post(headers: Record<string, string>, body: string | Buffer): Promise<Answer> {
  const url = new URL(DEMO_URL);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: "POST", path: "/keys", headers: { "Content-Length": String(Buffer.byteLength(body)), ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function expectRefusal(answer: Answer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(JSON.parse(answer.body)).toMatchObject({ ok: false, code, message: expect.stringMatching(/^Keyport .+\.$/) });
  expect(answer.headers["x-content-type-options"]).toBe("nosniff");
  expect(answer.headers["x-frame-options"]).toBe("DENY");
  expect(answer.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(answer.headers["cache-control"]).toBe("no-store");
}

const call = (extra: Record<string, string> = {}) => ({
  "Next-Action": actionId("refreshInventory"),
  "Content-Type": "text/plain;charset=UTF-8",
  Accept: "text/x-component",
  Origin: DEMO_URL,
  ...extra,
});

for (const prefetch of [false, true]) {
  const also: Record<string, string> = prefetch ? { "Next-Router-Prefetch": "1" } : {};
  const label = prefetch ? " (with a prefetch header)" : "";

  const foreigners: Array<Record<string, string>> = [{ Origin: "https://evil.example" }, { Origin: "null" }, { "Sec-Fetch-Site": "cross-site" }];
  for (const foreign of foreigners) {
    test(`a server action call from another site is a 403, not a 500: ${JSON.stringify(foreign)}${label}`, async () => {
      expectRefusal(await post(call({ ...foreign, ...also }), "[{}]"), 403, "cross_origin");
    });
  }

  test(`a no-JavaScript action form from another site is a 403, not a 500${label}`, async () => {
    const form = new FormData();
    form.append(`$ACTION_ID_${actionId("refreshInventory")}`, "");
    const encoded = new Response(form);
    const body = Buffer.from(await encoded.arrayBuffer());
    expectRefusal(await post({ Origin: "https://evil.example", "Content-Type": encoded.headers.get("content-type")!, ...also }, body), 403, "cross_origin");
  });

  for (const body of ["[", "not json", '["$Q1"]', '["$nxyz"]', `${"[".repeat(5000)}${"]".repeat(5000)}`]) {
    test(`an action call whose body does not decode is a 400, not a 500: ${body.slice(0, 20)}${label}`, async () => {
      expectRefusal(await post(call(also), body), 400, "malformed_action_call");
    });
  }

  test(`a well-formed call from Keyport's own page still reaches the action${label}`, async () => {
    const answer = await post(call(also), "[{}]");
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('"code":"unauthenticated"');
  });
}
