import "server-only";
import { logInternalError, describeForLog } from "@/lib/errors/internal";
import { followDemoClock } from "@/lib/clock/demo";
import { ConfigError, getConfig } from "@/lib/config";
import { canAlterAuditTrail, getDatabase, type Database } from "@/lib/db";
import { scheduleCheckpoints } from "@/lib/audit/signing";
import { scheduleExpirySweep } from "@/lib/imports";
import { scheduleRefreshes } from "@/lib/inventory";
import { scheduleNotifications } from "@/lib/notify/schedule";
import { scheduleRotationPass } from "@/lib/schedules";
import { syncScheduleFacts } from "@/lib/schedules/facts";
import { oneLineUnknownActionWarnings } from "./unknown-actions";

/**
 * What a Keyport server does when it starts (called from instrumentation.ts):
 * 0. log calls of unknown server actions as one line each (unknown-actions.ts);
 * 1. validate the configuration, so a misconfigured production deployment stops at once with one message
 *    naming every problem;
 * 2. open the database and apply migrations (under an advisory lock, so instances starting together take
 *    turns) before the first request;
 * 3. in demo mode, load the demo clock's offset and follow it (lib/clock/demo.ts), before anything below
 *    reads the clock;
 * 4. bring the schedule facts up to date (lib/schedules/facts.ts), and start the background inventory refresh,
 *    the import-token expiry sweep, (with an audit signing key)
 *    the audit checkpoints: one now, then on schedule and after requests finish, and (with a webhook) the
 *    notification sender.
 */
export async function onServerStart(): Promise<void> {
  oneLineUnknownActionWarnings();
  let mode: string;
  try {
    mode = getConfig().mode;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`\n${error.message}\n`);
      process.exit(78); // EX_CONFIG: a configuration error, not a crash.
    }
    throw error;
  }
  let database: Database;
  try {
    database = await getDatabase();
  } catch (error) {
    // Not fatal: /api/health reports it and the next request retries, so a database that comes up late recovers.
    console.error(`[startup] the database could not be opened or migrated: ${describeForLog(error)}`);
    return;
  }
  if (database.driver === "postgres") await warnIfAuditTrailAlterable(database);
  if (mode === "demo") {
    await followDemoClock(database.db).catch((error: unknown) =>
      logInternalError("startup", "while reading the demo clock's offset", error),
    );
  }
  // Every key's schedule facts once, in the background: right after the upgrade that adds them, and after a
  // crash between a write and the sync that follows it.
  void syncScheduleFacts(database.db).catch((error: unknown) => logInternalError("startup", "while updating the schedule facts", error));
  scheduleRefreshes();
  scheduleExpirySweep(getConfig().policy.interruptedAfterSeconds * 1000);
  scheduleCheckpoints();
  scheduleRotationPass();
  await scheduleNotifications().catch((error: unknown) => logInternalError("startup", "while starting the notification sender", error));
}

/** The append-only triggers protect the audit trail only from a role that does not own it (lib/db/roles.ts). */
async function warnIfAuditTrailAlterable(database: Database): Promise<void> {
  try {
    const { role, canAlter } = await canAlterAuditTrail(database.db);
    if (!canAlter) return;
    console.warn(
      `[startup] Keyport's database role "${role}" could change the audit trail or switch off its append-only triggers. ` +
        "Connect as a role that may only append to it: DATABASE_URL for that role and KEYPORT_MIGRATION_DATABASE_URL for the " +
        'schema owner (README, "Protecting the audit trail").',
    );
  } catch (error) {
    console.warn("[startup] could not check the audit trail's protection:", error instanceof Error ? error.message : error);
  }
}
