import "server-only";

/**
 * Whether this process keeps notifications, and how an enqueue nudges its sender. Off by default: without
 * KEYPORT_WEBHOOK_URL nothing is enqueued, so nothing piles up in the outbox. lib/startup turns it on when the
 * webhook is configured; tests turn it on around what they check.
 *
 * On `globalThis`, as the clock is: Next.js compiles this module into several server bundles (actions, route
 * handlers, instrumentation), and a module variable set at start-up would be invisible to the others.
 */

type NotifyState = { enabled: boolean; nudge: (() => void) | null };

const SLOT = Symbol.for("keyport.notify");

function state(): NotifyState {
  const global = globalThis as typeof globalThis & { [SLOT]?: NotifyState };
  return (global[SLOT] ??= { enabled: false, nudge: null });
}

export function notificationsEnabled(): boolean {
  return state().enabled;
}

/**
 * Turns enqueueing on; `nudge` (the sender's kick) runs after each message enqueued. Returns a function that
 * restores the previous state, so a test cannot leave it on for the next.
 */
export function enableNotifications(nudge?: () => void): () => void {
  const current = state();
  const previous = { ...current };
  current.enabled = true;
  current.nudge = nudge ?? null;
  return () => {
    current.enabled = previous.enabled;
    current.nudge = previous.nudge;
  };
}

export function nudgeSender(): void {
  state().nudge?.();
}
