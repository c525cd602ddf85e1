import "server-only";
import { randomBytes } from "node:crypto";

/**
 * Keyport's own failures (a database error, a bug, a value that did not decode), as opposed to what AWS
 * answered: logged for the operator under a short reference that the person is shown, so the two can be
 * matched without the person seeing internals.
 */

/** A short random id that ties a message a person sees to the log line an operator can find. */
export function newReference(): string {
  return randomBytes(6).toString("hex");
}

/**
 * What is safe to log of an error: its class, its code (a PostgreSQL SQLSTATE, a Node errno) and its stack
 * frames, following `cause`. Never its message: a database driver's message can carry the query's
 * parameters (sealed tokens, names, e-mail addresses), and a decoder's the input it choked on.
 */
export function describeForLog(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return `a thrown ${error === null ? "null" : typeof error}`;
  const code = (error as { code?: unknown }).code;
  const head = `${error.name}${typeof code === "string" || typeof code === "number" ? ` (code ${code})` : ""}`;
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 10)
    .join("\n");
  const cause = error.cause !== undefined && depth < 3 ? `\n  caused by ${describeForLog(error.cause, depth + 1)}` : "";
  return `${head}${frames ? `\n${frames}` : ""}${cause}`;
}

/**
 * Logs one of Keyport's own failures and returns the reference to show. `what` says what was being done, in
 * words that name no person and no secret (ids of requests and keys are fine).
 */
export function logInternalError(scope: string, what: string, error: unknown): string {
  const reference = newReference();
  console.error(`[${scope}] internal error (ref ${reference}) ${what}: ${describeForLog(error)}`);
  return reference;
}
