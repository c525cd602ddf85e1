/**
 * The one source of "now" for Keyport. Everything that compares against a
 * deadline (token expiry, ValidTo, session age, countdowns) asks this module,
 * so tests and the demo can move time without touching the system clock.
 *
 * Not `server-only`: the browser countdown uses the same arithmetic helpers,
 * while the offset itself is only ever set on the server.
 */

type Source = () => number;

let source: Source = () => Date.now();
let offsetMs = 0;

/** Milliseconds since the epoch, as Keyport sees them. */
export function nowMs(): number {
  return source() + offsetMs;
}

export function now(): Date {
  return new Date(nowMs());
}

/** Shifts Keyport's clock by `ms` relative to its source (demo and test controls). */
export function setClockOffset(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError("Clock offset must be a finite number of milliseconds");
  offsetMs = ms;
}

export function clockOffset(): number {
  return offsetMs;
}

/**
 * Replaces the time source (tests). Returns a function that restores the
 * previous source and offset, so a test cannot leak a frozen clock.
 */
export function replaceClockSource(next: Source): () => void {
  const previous = { source, offsetMs };
  source = next;
  offsetMs = 0;
  return () => {
    source = previous.source;
    offsetMs = previous.offsetMs;
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
