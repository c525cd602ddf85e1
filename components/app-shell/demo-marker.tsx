import { formatClockOffset } from "./clock-offset";
import { DemoClockControl } from "./demo-clock-control";

const TITLE = "Demo mode: an offline KMS emulator and demo people. Nothing here touches real AWS.";

/** "DEMO", then by how much the demo clock was moved when it was ("· clock +1 d 2 h"). */
function DemoMarkerText({ offsetMs }: { offsetMs: number }) {
  return (
    <>
      <span className="uppercase tracking-wider">Demo</span>
      {Math.abs(offsetMs) >= 1000 && <span className="font-semibold"> · clock {formatClockOffset(offsetMs)}</span>}
    </>
  );
}

const MARKER_CLASS = "whitespace-nowrap rounded bg-alert-warning-icon px-1.5 py-0.5 text-[11px] font-bold text-ink-950";

/**
 * The visible "DEMO" marker beside the product name, in every top bar of a demo-mode Keyport. When the demo
 * clock has been moved it says by how much ("Demo · clock +1 d 2 h"), for everyone: every time on the page
 * is that clock's. An admin's marker also opens the control that moves the clock.
 */
export function DemoMarker({
  offsetMs,
  canSetClock = false,
}: {
  offsetMs: number;
  canSetClock?: boolean;
}) {
  if (canSetClock) return <DemoClockControl offsetMs={offsetMs} />;
  const moved = Math.abs(offsetMs) >= 1000;
  return (
    <span className={MARKER_CLASS} data-testid="demo-marker" title={moved ? `${TITLE} Its clock runs ${formatClockOffset(offsetMs)} from the real time.` : TITLE}>
      <DemoMarkerText offsetMs={offsetMs} />
    </span>
  );
}
