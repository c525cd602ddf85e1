"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { formatClockOffset } from "./clock-offset";
import { Alert } from "@/components/ui/alert";
import { useDisclosure } from "@/components/ui/use-disclosure";

const HOUR = 3600_000;
const PRESETS: Array<{ label: string; ms: number }> = [
  { label: "+1 hour", ms: HOUR },
  { label: "+1 day", ms: 24 * HOUR },
  { label: "+7 days", ms: 7 * 24 * HOUR },
];

type Outcome = { kind: "done"; text: string } | { kind: "error"; text: string } | null;

/**
 * An admin's DEMO marker: a disclosure that opens the demo clock control (POST /api/demo/clock). It moves
 * Keyport's clock — and the KMS emulator's — for every person and instance, then re-renders the page so
 * every time on it follows. Escape, a click outside and tabbing out close it, as the user menu does.
 */
export function DemoClockControl({ offsetMs }: { offsetMs: number }) {
  const router = useRouter();
  const { open, setOpen, buttonRef, panelId, rootProps } = useDisclosure();
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const [refreshing, startRefresh] = useTransition();
  const [minutes, setMinutes] = useState("");
  const inputId = useId();
  const moved = Math.abs(offsetMs) >= 1000;


  async function move(body: { advanceMs: number } | { offsetMs: number }) {
    setBusy(true);
    setOutcome(null);
    try {
      const response = await fetch("/api/demo/clock", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        cache: "no-store",
      });
      const json = (await response.json().catch(() => ({}))) as {
        offsetMs?: number;
        message?: string;
        emulator?: { moved: boolean; reason?: string };
      };
      if (!response.ok || typeof json.offsetMs !== "number") {
        setOutcome({ kind: "error", text: json.message ?? `The clock could not be moved (HTTP ${response.status}). Reload the page and try again.` });
        return;
      }
      const where = json.offsetMs === 0 ? "Back to the real time" : `The clock now runs ${formatClockOffset(json.offsetMs)} from the real time`;
      const kms = json.emulator && !json.emulator.moved ? ` The KMS emulator's clock was not moved: ${json.emulator.reason}.` : "";
      setOutcome({ kind: kms ? "error" : "done", text: `${where}.${kms}` });
      setMinutes("");
      startRefresh(() => router.refresh());
    } catch {
      setOutcome({ kind: "error", text: "Keyport could not be reached. Check your connection and try again." });
    } finally {
      setBusy(false);
    }
  }

  const disabled = busy || refreshing;
  const button = "rounded-md px-2.5 py-1.5 text-sm font-medium ring-1 ring-inset ring-ink-300 hover:bg-ink-50 disabled:cursor-wait disabled:opacity-60";

  return (
    <div {...rootProps} className="relative">
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        data-testid="demo-marker"
        onClick={() => setOpen((o) => !o)}
        className="whitespace-nowrap rounded bg-alert-warning-icon px-1.5 py-0.5 text-[11px] font-bold text-ink-950 hover:brightness-105 focus-visible:outline-white"
      >
        <span className="uppercase tracking-wider">Demo</span>
        {moved && <span className="font-semibold"> · clock {formatClockOffset(offsetMs)}</span>}
        <span className="sr-only">: set the demo clock</span>
      </button>

      {/* Fixed below `sm`, so the panel never makes a phone-width page wider than the screen. */}
      <div
        id={panelId}
        hidden={!open}
        role="group"
        aria-label="Demo clock"
        className="fixed inset-x-4 top-14 z-40 rounded-card bg-white p-4 text-sm text-ink-900 shadow-lg ring-1 ring-ink-200 sm:absolute sm:inset-x-auto sm:left-0 sm:top-full sm:mt-2 sm:w-80"
      >
        <p className="font-semibold">Demo clock</p>
        <p className="mt-1 text-ink-600">
          {moved ? `Keyport and KMS run ${formatClockOffset(offsetMs)} from the real time.` : "Keyport and KMS run on the real time."}
        </p>
        <div className="mt-3 flex flex-wrap gap-2">
          {PRESETS.map((preset) => (
            <button key={preset.label} type="button" className={button} disabled={disabled} onClick={() => move({ advanceMs: preset.ms })}>
              {preset.label}
            </button>
          ))}
        </div>
        <form
          className="mt-3 flex items-end gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            const n = Number(minutes);
            if (!Number.isInteger(n) || n === 0) {
              setOutcome({ kind: "error", text: "Enter a whole number of minutes, negative to move back (for example 90 or -30)." });
              return;
            }
            void move({ advanceMs: n * 60_000 });
          }}
        >
          <label htmlFor={inputId} className="flex-1">
            <span className="block text-xs font-medium text-ink-700">Move by (minutes)</span>
            <input
              id={inputId}
              inputMode="numeric"
              value={minutes}
              onChange={(event) => setMinutes(event.target.value)}
              className="mt-1 w-full rounded-md px-2 py-1.5 ring-1 ring-inset ring-ink-300"
              placeholder="90"
            />
          </label>
          <button type="submit" className={button} disabled={disabled}>
            Move
          </button>
        </form>
        <button type="button" className={`${button} mt-3 w-full`} disabled={disabled || !moved} onClick={() => move({ offsetMs: 0 })}>
          Back to the real time
        </button>
        <p className="mt-3 text-xs text-ink-600">
          Moves Keyport&apos;s clock and the KMS emulator&apos;s for everyone. Sign-in sessions keep the real time, so nobody is signed out.
        </p>
        {outcome && (
          <Alert tone={outcome.kind === "error" ? "danger" : "success"} inline className="mt-2 !text-xs">
            {outcome.text}
          </Alert>
        )}
      </div>
    </div>
  );
}
