/**
 * Next.js warns about each call of a server action it cannot match to this build — a page left open across a
 * deployment, a forged id, a no-JavaScript form naming no action — by printing the error with its stack
 * trace: several lines per call, which anyone can make the server write, and which read like a crash to an
 * operator scanning the log. Keyport logs each such call as one line instead. Next's answer to the caller (a
 * 400 or 409 saying the action is unavailable) is unchanged.
 */

/** The messages of the errors Next warns with for a call it cannot match (not those it throws). */
const UNKNOWN_ACTION = /^(Failed to find Server Action|The Server Reference ID did not match the expected format|Invalid Server Actions request\.$)/;

const installed = Symbol.for("keyport.oneLineUnknownActions");

/** Wraps `target.warn` (the console by default) once per process. */
export function oneLineUnknownActionWarnings(target: Pick<Console, "warn"> = console): void {
  const marked = target as Pick<Console, "warn"> & { [installed]?: true };
  if (marked[installed]) return;
  const warn = target.warn.bind(target);
  marked.warn = (...args: unknown[]) => {
    const [first] = args;
    if (args.length === 1 && first instanceof Error && UNKNOWN_ACTION.test(first.message)) {
      // The first line names the id (Next has already escaped and shortened one that is not an id).
      return warn(`[keyport] refused a server action call that matches no action of this build: ${first.message.split("\n")[0]!.slice(0, 300)}`);
    }
    return warn(...args);
  };
  marked[installed] = true;
}
