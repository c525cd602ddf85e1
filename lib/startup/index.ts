import "server-only";
import { ConfigError, getConfig } from "./index";

/**
 * Validates the configuration when the server starts, so a misconfigured
 * production deployment stops at once with one message naming every problem,
 * instead of failing on its first request.
 */
export async function onServerStart(): Promise<void> {
  try {
    getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`\n${error.message}\n`);
      process.exit(78); // EX_CONFIG: a configuration error, not a crash.
    }
    throw error;
  }
}
