import { defineConfig } from "@playwright/test";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { DEMO_PORT, DEMO_URL, EMULATOR_PORT, EMULATOR_URL, IDP_ISSUER, PRODUCTION_PORT, PRODUCTION_URL, WEBHOOK_PORT, WEBHOOK_SECRET, WEBHOOK_URL, demoEnv, productionEnv } from "./e2e/servers";

/**
 * End-to-end tests drive a real Chromium against the built app (`next build` first; `npm test` does it).
 * Each run gets a fresh data directory. Three servers start:
 * - the app in demo mode (most specs; demo people sign in),
 * - a real OpenID Connect provider on loopback (e2e/oidc/provider.mts),
 * - the same build in production mode, signing in through that provider (auth-oidc.spec.ts).
 */

function chromiumExecutable(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium"].filter((p): p is string => !!p);
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  const bundled = (() => {
    try {
      return chromium.executablePath();
    } catch {
      return undefined;
    }
  })();
  if (bundled && existsSync(bundled)) return undefined; // Playwright's own browser: no override needed.
  throw new Error(
    "No Chromium found for the end-to-end tests. Install one with `apt-get install -y chromium` (Debian/Ubuntu), " +
      "or set CHROMIUM_PATH to a Chromium/Chrome binary, or run `npx playwright install chromium` where downloads are allowed.",
  );
}

// Workers re-evaluate this file; the environment carries the main process's choice to them.
process.env.KEYPORT_E2E_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "keyport-e2e-"));
const runDir = process.env.KEYPORT_E2E_DATA_DIR;
const demoDataDir = path.join(runDir, "demo");
const productionDataDir = path.join(runDir, "production");
for (const dir of [demoDataDir, productionDataDir]) mkdirSync(dir, { recursive: true });
export const baseURL = DEMO_URL;

// Started as node directly so the PID Playwright holds is the server itself: through npx, stopping npx leaves
// next-server running as its child, still holding the port.
const nextStart = (port: number) => `node node_modules/next/dist/bin/next start -H 127.0.0.1 -p ${port}`;

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./test-results",
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  // Timeouts catch a hung test, they do not measure speed: CI's shared 2-core machines have run the same specs
  // three to five times slower than a quiet one, which put plain page checks past 30 s.
  timeout: process.env.CI ? 120_000 : 30_000,
  expect: { timeout: process.env.CI ? 30_000 : 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromiumExecutable(),
      // Chromium as root in a container without network access: no sandbox (refused as root), no GPU, no /dev/shm
      // (small in containers), and nothing that phones home or shows first-run screens.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [
    // Signs in each demo person once and saves their storage state (e2e/fixtures.ts: `test.use({ role })`).
    { name: "demo-sign-in", testMatch: /demo-sign-in\.setup\.ts/, use: { baseURL: DEMO_URL } },
    {
      name: "demo",
      testIgnore: [/auth-oidc\.spec\.ts/, /\.setup\.ts/],
      dependencies: ["demo-sign-in"],
      use: { browserName: "chromium", baseURL: DEMO_URL },
    },
    { name: "production", testMatch: /auth-oidc\.spec\.ts/, use: { browserName: "chromium", baseURL: PRODUCTION_URL } },
  ],
  // An array: more servers (the KMS emulator) join here.
  webServer: [
    {
      // The offline KMS + STS the demo-mode app reads and imports into; fresh in memory for every run.
      command: `node node_modules/tsx/dist/cli.mjs lib/emulator/cli.ts --port ${EMULATOR_PORT} --seed demo --admin`,
      url: `${EMULATOR_URL}/__admin/status`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    },
    {
      // The demo-mode app's webhook receiver: it checks each signature, as a real receiver should.
      command: `node node_modules/tsx/dist/cli.mjs lib/notify/listen.ts --port ${WEBHOOK_PORT}`,
      url: `${WEBHOOK_URL}received`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore",
      stderr: "pipe",
      env: { KEYPORT_WEBHOOK_SECRET: WEBHOOK_SECRET },
    },
    {
      command: nextStart(DEMO_PORT),
      url: `${DEMO_URL}/api/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      env: demoEnv(demoDataDir),
    },
    {
      command: "node node_modules/tsx/dist/cli.mjs e2e/oidc/provider.mts",
      url: `${IDP_ISSUER}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "pipe",
      stderr: "pipe",
    },
    {
      command: nextStart(PRODUCTION_PORT),
      url: `${PRODUCTION_URL}/api/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
      env: productionEnv(productionDataDir),
    },
  ],
});
