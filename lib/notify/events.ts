/**
 * What Keyport tells people about, as data (pure: no server-only, so pages may label the kinds).
 * A message names a key, a request and what to do; it never carries an import token, a wrapped blob or key
 * material — only identifiers, states, dates and people's names.
 */
export const NOTIFICATION_KINDS = [
  "approval.needed",
  "parameters.expiring",
  "material.expiring",
  "import.failed",
  "drift.found",
  "rotation.due",
  "break_glass.used",
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export type NotificationInput = {
  kind: NotificationKind;
  /**
   * Enqueueing twice with the same key keeps the first message only, e.g. `material.expiring:<arn>:<yyyy-mm-dd>`
   * for "once a day per key", or `drift.found:<finding id>` for "once per finding".
   */
  dedupeKey: string;
  /** One sentence for people: what happened and what to do. */
  summary: string;
  keyArn?: string | null;
  targetId?: string | null;
  region?: string | null;
  requestId?: string | null;
  /** Where in Keyport to act, as a path (`/imports/<id>`); the sender makes it absolute. */
  path?: string | null;
  /** Labelled values shown as the message's fields. */
  fields?: Record<string, string | number>;
  at: Date;
};

/** Each kind as a message's title. */
export const NOTIFICATION_TITLES: Record<NotificationKind, string> = {
  "approval.needed": "Approval needed",
  "parameters.expiring": "Import parameters expiring",
  "material.expiring": "Key material expiring",
  "import.failed": "Import failed",
  "drift.found": "Drift found",
  "rotation.due": "Rotation due",
  "break_glass.used": "Break glass used",
};
