/**
 * The one source of "now" for Keyport. Everything that compares against a
 * deadline (token expiry, ValidTo, session age, countdowns) asks this module,
 * so tests and the demo can move time without touching the system clock.
 *
 * Not `server-only`: the browser countdown uses the same arithmetic helpers,
 * while the offset itself is only ever set on the server.
 *
 * The source and offset live on `globalThis`, not in module variables: Next.js
 * compiles this module into several server bundles (route handlers, pages,
 * server actions, the proxy), each with its own copy of module state, so a
 * module `let` set by one bundle is invisible to the others. One slot on the
 * global object is what every copy reads.
 */

type Source = () => number;
type ClockState = { source: Source; offsetMs: number };

const SLOT = Symbol.for("keyport.clock");

function state(): ClockState {
  const global = globalThis as typeof globalThis & { [SLOT]?: ClockState };
  return (global[SLOT] ??= { source: () => Date.now(), offsetMs: 0 });
}

/** Milliseconds since the epoch, as Keyport sees them. */
export function nowMs(): number {
  const clock = state();
  return clock.source() + clock.offsetMs;
}

export function now(): Date {
  return new Date(nowMs());
}

/**
 * The clock's source without the demo offset: what sign-in sessions are timed by. Moving the demo clock
 * is for watching import tokens and key material expire; it must not sign people in or out, and pages,
 * route handlers and actions all judge a session by this same time, so they agree after a move.
 */
export function sessionNowMs(): number {
  return state().source();
}

/** Shifts Keyport's clock by `ms` relative to its source (demo and test controls). */
export function setClockOffset(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError("Clock offset must be a finite number of milliseconds");
  state().offsetMs = ms;
}

export function clockOffset(): number {
  return state().offsetMs;
}

/**
 * Replaces the time source (tests). Returns a function that restores the
 * previous source and offset, so a test cannot leak a frozen clock.
 */
export function replaceClockSource(next: Source): () => void {
  const clock = state();
  const previous = { ...clock };
  clock.source = next;
  clock.offsetMs = 0;
  return () => {
    clock.source = previous.source;
    clock.offsetMs = previous.offsetMs;
  };
}

/** A fixed clock for tests: `const clock = fixedClock("2026-01-01T00:00:00Z"); clock.advance(1000)`. */
export function fixedClock(start: Date | string | number) {
  let t = new Date(start).getTime();
  if (Number.isNaN(t)) throw new RangeError(`Not a date: ${String(start)}`);
  const restore = replaceClockSource(() => t);
  return {
    advance(ms: number) {
      t += ms;
    },
    set(to: Date | string | number) {
      t = new Date(to).getTime();
    },
    restore,
  };
}
