import type { ReactNode } from "react";
import { AlertIcon, CheckIcon, InfoIcon } from "./icons";

/**
 * A message to the person: what happened, or what to do next. Its colours are the alert tokens of
 * tailwind.config.ts, not the state colours (components/ui/tone.ts), so "failed" on a badge and "this did not
 * work" in a message can change independently. Errors are announced at once (role="alert"), everything else
 * politely (role="status"). A screen reader hears the title and the text; the icon is decoration.
 */

export type AlertTone = "info" | "success" | "warning" | "danger";

/** Class strings per tone, literal so Tailwind sees them; also for the rare element that is not an Alert. */
export const alertClasses: Record<AlertTone, { box: string; text: string; icon: string }> = {
  info: { box: "border-alert-info-ring bg-alert-info-bg text-alert-info-fg", text: "text-alert-info-fg", icon: "text-alert-info-icon" },
  success: {
    box: "border-alert-success-ring bg-alert-success-bg text-alert-success-fg",
    text: "text-alert-success-fg",
    icon: "text-alert-success-icon",
  },
  warning: {
    box: "border-alert-warning-ring bg-alert-warning-bg text-alert-warning-fg",
    text: "text-alert-warning-fg",
    icon: "text-alert-warning-icon",
  },
  danger: { box: "border-alert-danger-ring bg-alert-danger-bg text-alert-danger-fg", text: "text-alert-danger-fg", icon: "text-alert-danger-icon" },
};

/** A button that destroys or refuses something (delete, reject, cancel): the danger colours, outlined. */
export const dangerButtonClasses = "bg-white text-alert-danger-fg ring-1 ring-inset ring-alert-danger-ring hover:bg-alert-danger-bg";

const ICONS: Record<AlertTone, (props: { className?: string }) => ReactNode> = {
  info: InfoIcon,
  success: CheckIcon,
  warning: AlertIcon,
  danger: AlertIcon,
};

export function alertRole(tone: AlertTone): "alert" | "status" {
  return tone === "danger" ? "alert" : "status";
}

export function Alert({
  tone,
  title,
  children,
  inline = false,
  icon = true,
  id,
  role,
  className = "",
}: {
  tone: AlertTone;
  /** Bold, read first, on the same line as the text: "Expired." */
  title?: ReactNode;
  children?: ReactNode;
  /** Just the coloured text, for a message under a field or a button. */
  inline?: boolean;
  icon?: boolean;
  id?: string;
  /** "note" for a standing explanation that is part of the page rather than news (why a button is missing). */
  role?: "alert" | "status" | "note";
  className?: string;
}) {
  const t = alertClasses[tone];
  if (inline) {
    return (
      <p id={id} role={role ?? alertRole(tone)} className={`text-sm ${t.text} ${className}`}>
        {title && <span className="font-semibold">{title} </span>}
        {children}
      </p>
    );
  }
  const Icon = ICONS[tone];
  return (
    <div id={id} role={role ?? alertRole(tone)} className={`flex items-start gap-3 rounded-card border px-4 py-3 text-sm ${t.box} ${className}`}>
      {icon && <Icon className={`mt-0.5 size-5 shrink-0 ${t.icon}`} />}
      <div className="min-w-0 flex-1 break-words">
        {title && <span className="font-semibold">{title} </span>}
        {children}
      </div>
    </div>
  );
}
