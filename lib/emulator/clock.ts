/**
 * The emulator's own notion of time. Every expiry (import tokens, key material ValidTo, session
 * credentials, scheduled deletion) is judged against it, so tests can move time with the admin controls
 * instead of waiting. It is a fixed offset from the wall clock: time keeps flowing after a jump.
 */
export class Clock {
  constructor(private offsetMs = 0) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }

  set(epochMs: number): void {
    this.offsetMs = epochMs - Date.now();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  get offset(): number {
    return this.offsetMs;
  }

  reset(offsetMs = 0): void {
    this.offsetMs = offsetMs;
  }
}
