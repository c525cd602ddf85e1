import { describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/config/load";
import { childEnv, droppedDatabaseSettings } from "./env";
import { demoEnv, productionEnv } from "@/e2e/servers";

// A shell with the PostgreSQL test variants' settings exported, as CI's runs it.
const exported = {
  PATH: "/usr/bin",
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
  KEYPORT_MIGRATION_DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test",
};

describe("npm run demo's child environment", () => {
  it("leaves the database settings behind and keeps everything else", () => {
    const env = childEnv(exported, { KEYPORT_MODE: "demo", KEYPORT_DATA_DIR: "/tmp/demo" });
    expect(env).toEqual({ PATH: "/usr/bin", KEYPORT_MODE: "demo", KEYPORT_DATA_DIR: "/tmp/demo" });
    expect(loadConfig(env).database).toEqual({ url: undefined, migrationUrl: undefined, dataDir: "/tmp/demo" });
    expect(exported.DATABASE_URL).toBeDefined(); // the parent's own environment is untouched
  });

  it("passes a webhook through, so the demo can send its notifications to `npm run webhook:listen`", () => {
    const webhook = { KEYPORT_WEBHOOK_URL: "http://127.0.0.1:4580/", KEYPORT_WEBHOOK_SECRET: "d".repeat(40) };
    const env = childEnv({ ...exported, ...webhook }, { KEYPORT_MODE: "demo", NEXTAUTH_URL: "http://127.0.0.1:3000" });
    expect(loadConfig(env).webhook).toEqual({ url: webhook.KEYPORT_WEBHOOK_URL, secret: webhook.KEYPORT_WEBHOOK_SECRET, publicUrl: "http://127.0.0.1:3000" });
  });

  it("names what it left behind, for its one log line", () => {
    expect(droppedDatabaseSettings(exported)).toEqual(["DATABASE_URL", "KEYPORT_MIGRATION_DATABASE_URL"]);
    expect(droppedDatabaseSettings({ DATABASE_URL: " " })).toEqual([]);
  });
});

describe("Playwright's servers", () => {
  // Playwright spawns each web server with { ...process.env, ...webServer.env }.
  it.each([
    ["demo", demoEnv],
    ["production", productionEnv],
  ])("the %s server stays on the run's data directory with DATABASE_URL exported", (_mode, build) => {
    const env = { ...exported, ...build("/tmp/e2e-run") };
    expect(loadConfig(env).database).toEqual({ url: undefined, migrationUrl: undefined, dataDir: "/tmp/e2e-run" });
  });
});
