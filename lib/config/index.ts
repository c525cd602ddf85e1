import "server-only";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import packageJson from "@/package.json";
import { loadConfig } from "./load";
import type { Config } from "./schema";

export { ConfigError, DEFAULT_DESCRIBE_CONCURRENCY, loadConfig } from "./load";
export { ROLES, type Config, type Mode, type Role, type Target } from "./schema";

let cached: Config | undefined;

/**
 * Keyport's configuration, validated once per process. This module is the only
 * reader of `process.env` in the app; everything else asks it.
 */
export function getConfig(): Config {
  if (!cached) {
    // Resolved at run time from the working directory; the ignore comment keeps Turbopack from tracing the whole tree.
    const file = path.resolve(/*turbopackIgnore: true*/ process.cwd(), process.env.KEYPORT_CONFIG_FILE || "keyport.config.json");
    const text = existsSync(file) ? readFileSync(file, "utf8") : undefined;
    cached = loadConfig(process.env, text);
  }
  return cached;
}

/** Facts about the running build that are not settings (for /api/health and the footer). */
export function runtimeInfo() {
  return { version: packageJson.version };
}
