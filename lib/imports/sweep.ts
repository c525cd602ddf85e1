import "server-only";
import { logInternalError } from "@/lib/errors/internal";
import type { ImportDeps } from "./deps";
import { expireDue, recoverInterrupted } from "./workflow";

/**
 * The periodic half of expiry (the other half runs before every state-changing action; reads only show
 * the effective state and write nothing): once a minute, requests whose import token passed
 * ParametersValidTo move to `expired` with an audit event, and
 * requests left in `importing` by a stopped server become `failed`. Safe with several app instances: each
 * move is a conditional UPDATE, so only one instance records it.
 */

export const SWEEP_INTERVAL_MS = 60_000;

/** Once a minute, or more often when imports count as interrupted sooner, so none waits much past its limit. */
export function sweepIntervalMs(interruptedAfterMs: number | undefined): number {
  if (!interruptedAfterMs) return SWEEP_INTERVAL_MS;
  return Math.max(5_000, Math.min(SWEEP_INTERVAL_MS, Math.floor(interruptedAfterMs / 3)));
}

const state = globalThis as typeof globalThis & { __keyportImportSweep?: NodeJS.Timeout };

export async function sweepOnce(deps: ImportDeps): Promise<{ expired: number; interrupted: number }> {
  const expired = await expireDue(deps);
  const interrupted = await recoverInterrupted(deps);
  return { expired, interrupted };
}

/** Called once at server start (lib/startup), with the configured KEYPORT_INTERRUPTED_AFTER_SECONDS. */
export function scheduleExpirySweep(interruptedAfterMs?: number): void {
  if (state.__keyportImportSweep) return;
  const run = () => {
    // Imported lazily: lib/imports/index.ts imports this module.
    void import("./index")
      .then(async ({ importDeps }) => sweepOnce(await importDeps()))
      .catch((error: unknown) => logInternalError("imports", "in the expiry sweep", error));
  };
  run();
  state.__keyportImportSweep = setInterval(run, sweepIntervalMs(interruptedAfterMs));
  state.__keyportImportSweep.unref();
}
