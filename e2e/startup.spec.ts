import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

/** Runs the built server with the given environment until it exits, and returns what it printed. */
function startServer(env: Record<string, string>, port: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(port)], {
      // A clean environment: nothing of the test runner's own KEYPORT_* settings leaks in.
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...env },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`The server did not exit within 20 s. Output:\n${output}`));
    }, 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test("production start-up stops with one message naming every missing setting", async () => {
  const { code, output } = await startServer({ KEYPORT_MODE: "production" }, 3190);
  expect(code).toBe(78);
  expect(output).toContain("Keyport cannot start: 6 configuration problems.");
  for (const setting of ["NEXTAUTH_SECRET", "KEYPORT_DATA_KEY", "KEYPORT_TARGETS", "KEYPORT_OIDC_ISSUER", "KEYPORT_ROLE_MAP", "NEXTAUTH_URL"])
    expect(output).toContain(setting);
});

test("an invalid setting stops start-up even in demo mode, and the secret value is not echoed", async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "keyport-startup-"));
  const { code, output } = await startServer(
    { KEYPORT_MODE: "demo", KEYPORT_DATA_DIR: dataDir, KEYPORT_DATA_KEY: "c2hvcnQtYnV0LXNlY3JldA==" },
    3191,
  );
  expect(code).toBe(78);
  expect(output).toMatch(/KEYPORT_DATA_KEY must be exactly 32 bytes/);
  expect(output).not.toContain("c2hvcnQtYnV0LXNlY3JldA==");
});
