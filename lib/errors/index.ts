/**
 * A failure Keyport expects and can explain: a stable `code` that clients and tests match on, and a sentence
 * a person can act on. The action and route wrappers in lib/auth pass these through as they are; any other
 * error is treated as a bug, logged with a reference and shown only as a generic message.
 *
 * Pure (no server-only): domain modules throw it, and its codes may be shown by client components.
 */
/**
 * Marks every KeyportError, whichever copy of this module made it. Next bundles each route and page on its
 * own, so one module can exist twice in a server process, and an error made by one copy (say, in a KMS client
 * kept on globalThis) fails `instanceof` against the other copy's class. Symbol.for is process-wide.
 */
const KEYPORT_ERROR = Symbol.for("keyport.error");

export class KeyportError extends Error {
  readonly code: string;
  /** HTTP status a route handler answers with (actions ignore it). */
  readonly status: number;
  readonly fieldErrors: Record<string, string[]> | undefined;

  constructor(code: string, message: string, options: { status?: number; fieldErrors?: Record<string, string[]>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KeyportError";
    this.code = code;
    this.status = options.status ?? 400;
    this.fieldErrors = options.fieldErrors;
    Object.defineProperty(this, KEYPORT_ERROR, { value: true });
  }
}

/** Whether `value` is a KeyportError, also one made by another bundled copy of this module (see KEYPORT_ERROR). */
export function isKeyportError(value: unknown): value is KeyportError {
  return value instanceof KeyportError || (typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[KEYPORT_ERROR] === true);
}
