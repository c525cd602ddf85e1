import type { ReactNode } from "react";
import { keyStateLabel, keyStateTone, requestStateTone, toneClasses, type Tone } from "./tone";

export function Badge({ tone = "neutral", children, dot = true, state }: { tone?: Tone; children: ReactNode; dot?: boolean; state?: string }) {
  const t = toneClasses[tone];
  return (
    <span data-state={state} className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${t.badge}`}>
      {dot && <span aria-hidden className={`size-1.5 rounded-full ${t.dot}`} />}
      {children}
    </span>
  );
}

export function KeyStateBadge({ state }: { state: string }) {
  return <Badge tone={keyStateTone(state)}>{keyStateLabel[state] ?? state}</Badge>;
}

/** An import request's state; `label` comes from lib/imports/states.ts (it depends on the request's kind). */
export function RequestStateBadge({ state, label }: { state: string; label: string }) {
  // data-state: the machine-readable state, for tools that read the page (the reliability run does).
  return (
    <Badge tone={requestStateTone(state)} state={state}>
      {label}
    </Badge>
  );
}
