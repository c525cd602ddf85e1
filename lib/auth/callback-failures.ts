/**
 * Sign-in callbacks that fail because of the visitor's own request, not the server: they cancelled at the
 * identity provider (or must sign in there again), or the callback belongs to no sign-in this browser started
 * — a tab left open, a link followed twice, a forged callback. next-auth logs each as an error with its stack
 * trace, which anyone can make the server write; Keyport logs these as one warning line (the person is already
 * told on the sign-in page). Everything else — a provider that refuses Keyport's client, one that cannot be
 * reached — stays an error. Pure.
 */

/** Authorization errors the person chose or must fix at the provider (RFC 6749 4.1.2.1, OpenID Connect 3.1.2.6). */
const PERSON_DECLINED: ReadonlySet<string> = new Set(["access_denied", "login_required", "interaction_required", "consent_required", "account_selection_required"]);

/**
 * What next-auth and openid-client say of a callback that belongs to no sign-in this browser started (its state,
 * PKCE or nonce cookie missing or not matching), or of a code that was already used or never issued.
 */
const NOT_THIS_BROWSERS = /cookie was missing|state mismatch|nonce mismatch|checks\.\w+ argument is missing|^invalid_grant\b/i;

const CALLBACK_CODES: ReadonlySet<string> = new Set(["OAUTH_CALLBACK_ERROR", "OAUTH_CALLBACK_HANDLER_ERROR"]);

function errorIn(metadata: unknown): Error | null {
  if (metadata instanceof Error) return metadata;
  const inner = (metadata as { error?: unknown } | null)?.error;
  return inner instanceof Error ? inner : null;
}

/**
 * The one line to warn with when next-auth's `code` and `metadata` describe such a callback, or null when it
 * is something else (log it as an error).
 */
export function visitorCallbackFailure(code: string, metadata: unknown): string | null {
  if (!CALLBACK_CODES.has(code)) return null;
  const error = errorIn(metadata);
  if (!error) return null;
  const message = error.message.split("\n")[0]!.trim();
  if (!PERSON_DECLINED.has(message) && !NOT_THIS_BROWSERS.test(message)) return null;
  // The message may quote the callback's own parameters: one line, without control characters, bounded.
  return `[keyport] a sign-in did not complete (${code}): ${message.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").slice(0, 200)}`;
}
