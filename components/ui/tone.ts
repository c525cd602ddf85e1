/**
 * The one mapping from a state to its colours. Badges, table-row accents and
 * countdowns all read from here, so "expiring" looks the same everywhere.
 * Class strings are literal so Tailwind can see them.
 */
export type Tone = "pending-import" | "enabled" | "disabled" | "pending-deletion" | "expiring" | "expired" | "neutral" | "accent";

export const toneClasses: Record<Tone, { badge: string; dot: string; text: string }> = {
  "pending-import": {
    badge: "bg-state-pending-import-bg text-state-pending-import-fg ring-state-pending-import-ring",
    dot: "bg-state-pending-import-dot",
    text: "text-state-pending-import-fg",
  },
  enabled: {
    badge: "bg-state-enabled-bg text-state-enabled-fg ring-state-enabled-ring",
    dot: "bg-state-enabled-dot",
    text: "text-state-enabled-fg",
  },
  disabled: {
    badge: "bg-state-disabled-bg text-state-disabled-fg ring-state-disabled-ring",
    dot: "bg-state-disabled-dot",
    text: "text-state-disabled-fg",
  },
  "pending-deletion": {
    badge: "bg-state-pending-deletion-bg text-state-pending-deletion-fg ring-state-pending-deletion-ring",
    dot: "bg-state-pending-deletion-dot",
    text: "text-state-pending-deletion-fg",
  },
  expiring: {
    badge: "bg-state-expiring-bg text-state-expiring-fg ring-state-expiring-ring",
    dot: "bg-state-expiring-dot",
    text: "text-state-expiring-fg",
  },
  expired: {
    badge: "bg-state-expired-bg text-state-expired-fg ring-state-expired-ring",
    dot: "bg-state-expired-dot",
    text: "text-state-expired-fg",
  },
  neutral: { badge: "bg-ink-100 text-ink-700 ring-ink-200", dot: "bg-ink-400", text: "text-ink-700" },
  accent: { badge: "bg-accent-50 text-accent-700 ring-accent-200", dot: "bg-accent-500", text: "text-accent-700" },
};

/** SVG fills (the expiry timeline): the expiring tone's background for the warning window, its dot for a ValidTo inside it. */
export const timelineFills = {
  warningWindow: "fill-state-expiring-bg",
  expiring: "fill-state-expiring-dot",
  later: "fill-accent-500",
} as const;

/** KMS KeyState → tone. States Keyport does not expect fall back to neutral rather than guessing. */
export function keyStateTone(state: string): Tone {
  switch (state) {
    case "PendingImport":
      return "pending-import";
    case "Enabled":
      return "enabled";
    case "Disabled":
      return "disabled";
    case "PendingDeletion":
    case "PendingReplicaDeletion":
      return "pending-deletion";
    default:
      return "neutral";
  }
}

export const keyStateLabel: Record<string, string> = {
  PendingImport: "Pending import",
  Enabled: "Enabled",
  Disabled: "Disabled",
  PendingDeletion: "Pending deletion",
  PendingReplicaDeletion: "Pending replica deletion",
  Unavailable: "Unavailable",
  Creating: "Creating",
  Updating: "Updating",
};

/**
 * Import request state → tone (lib/imports/states.ts names the states). Outstanding work reads as
 * "pending import", success as "enabled", refusals and failures as the red tones.
 */
export function requestStateTone(state: string): Tone {
  switch (state) {
    case "parameters_issued":
      return "accent";
    case "awaiting_approval":
      return "pending-import";
    case "importing":
      return "accent";
    case "imported":
      return "enabled";
    case "failed":
    case "expired":
      return "expired";
    case "rejected":
      return "pending-deletion";
    case "cancelled":
      return "disabled";
    default:
      return "neutral";
  }
}

/** Time left on an import token → tone: amber under an hour, red under ten minutes and at zero. */
export type CountdownLevel = "ok" | "soon" | "urgent" | "expired";

export function countdownLevel(msLeft: number): CountdownLevel {
  if (msLeft <= 0) return "expired";
  if (msLeft < 10 * 60_000) return "urgent";
  if (msLeft < 60 * 60_000) return "soon";
  return "ok";
}

export const countdownTone: Record<CountdownLevel, Tone> = { ok: "neutral", soon: "expiring", urgent: "expired", expired: "expired" };
