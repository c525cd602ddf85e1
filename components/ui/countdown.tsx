"use client";

import { useRouter } from "next/navigation";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { formatDateTime } from "./format";
import { ClockIcon } from "./icons";
import { countdownLevel, countdownTone, toneClasses, type CountdownLevel } from "./tone";

/**
 * Live countdowns to an import token's ParametersValidTo. One timer per page: `CountdownProvider` ticks once
 * a second and every `Countdown` under it reads the same "now". That now is Keyport's clock, not the
 * browser's: the page passes `serverNow` from lib/clock (whose offset every server bundle shares, see
 * lib/clock), and the provider keeps the difference between that and the browser's clock, so a browser whose
 * clock is wrong still counts down to the moment the server will refuse the token. A demo clock moved after
 * the page was rendered reaches the countdown only when the page renders again: the demo clock control
 * refreshes the page it was used on, and the change poll refreshes the others when a request's state moves.
 */

const NowContext = createContext<number | null>(null);

export function CountdownProvider({ serverNow, children }: { serverNow: number; children: ReactNode }) {
  // The first render (server and hydration) uses the server's time, so both print the same text.
  const [now, setNow] = useState(serverNow);
  useEffect(() => {
    const offset = serverNow - Date.now();
    const tick = () => setNow(Date.now() + offset);
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [serverNow]);
  return <NowContext.Provider value={now}>{children}</NowContext.Provider>;
}

/** Keyport's "now" (ms) from the page's provider. */
export function useKeyportNow(): number {
  const now = useContext(NowContext);
  if (now === null) throw new Error("useKeyportNow needs a CountdownProvider above it");
  return now;
}

export function formatTimeLeft(ms: number): string {
  if (ms <= 0) return "Expired";
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h} h ${pad(m)} min ${pad(s)} s left` : `${m} min ${pad(s)} s left`;
}

const ANNOUNCEMENTS: Record<CountdownLevel, (what: string) => string> = {
  ok: () => "",
  soon: (what) => `${what}: less than an hour left.`,
  urgent: (what) => `${what}: less than 10 minutes left.`,
  expired: (what) => `${what} have expired.`,
};

/**
 * Time left until `validTo`: neutral, amber under an hour, red under ten minutes, "Expired" at zero. Screen
 * readers hear only the threshold changes (a polite live region whose text changes three times at most),
 * not every second. When it reaches zero the page is re-rendered, so the server's verdict (`expired`)
 * replaces the browser's.
 */
export function Countdown({
  validTo,
  what = "The import parameters",
  size = "md",
  refreshOnExpiry = true,
}: {
  validTo: string;
  what?: string;
  size?: "sm" | "md" | "lg";
  refreshOnExpiry?: boolean;
}) {
  const router = useRouter();
  const now = useKeyportNow();
  const left = Date.parse(validTo) - now;
  const level = countdownLevel(left);
  // Levels only move forward (ok → soon → urgent → expired): announce any level other than the first seen.
  const [firstLevel] = useState(level);
  const announcement = level === firstLevel ? "" : ANNOUNCEMENTS[level](what);

  useEffect(() => {
    if (refreshOnExpiry && level === "expired" && firstLevel !== "expired") router.refresh();
  }, [level, firstLevel, refreshOnExpiry, router]);

  const tone = toneClasses[countdownTone[level]];
  const sizes = { sm: "text-xs px-2 py-0.5", md: "text-sm px-2.5 py-1", lg: "text-base px-3 py-1.5 font-semibold" } as const;
  return (
    <span
      className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full ring-1 ring-inset tabular-nums ${tone.badge} ${sizes[size]}`}
      title={`Valid until ${formatDateTime(validTo)}`}
      data-level={level}
    >
      <ClockIcon className={size === "lg" ? "size-5" : "size-4"} />
      <span>{formatTimeLeft(left)}</span>
      <span className="sr-only" aria-live="polite" aria-atomic="true">
        {announcement}
      </span>
    </span>
  );
}
