/**
 * A failure Keyport expects and can explain: a stable `code` that clients and tests match on, and a sentence
 * a person can act on. The action and route wrappers in lib/auth pass these through as they are; any other
 * error is treated as a bug, logged with a reference and shown only as a generic message.
 *
 * Pure (no server-only): domain modules throw it, and its codes may be shown by client components.
 */
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
  }
}

export function isKeyportError(value: unknown): value is KeyportError {
  return value instanceof KeyportError;
}
