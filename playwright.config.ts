import { defineConfig } from "@playwright/test";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";

/**
 * End-to-end tests drive a real Chromium against the built app (`next build`
 * first; `npm test` does it). Each run gets a fresh data directory.
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
const dataDir = process.env.KEYPORT_E2E_DATA_DIR;
const port = Number(process.env.KEYPORT_E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./test-results",
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromiumExecutable(),
      // Flags that work as root in this sandbox without network access (STACK.md pitfall 9).
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
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    // Started as node directly so the PID Playwright holds is the server itself (STACK.md pitfall 6).
    command: `node node_modules/next/dist/bin/next start -H 127.0.0.1 -p ${port}`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      KEYPORT_MODE: "demo",
      KEYPORT_DATA_DIR: dataDir,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
