import { Badge } from "@/components/ui/badge";

/**
 * A key whose material break glass deleted, not yet imported again under dual control. Red, on the key list
 * and the key page alike, so nobody takes the key for one that is merely waiting for its first import.
 */
export function BreakGlassBadge() {
  return (
    <span className="mt-1 block">
      <Badge tone="expired">Break glass</Badge>
    </span>
  );
}

/** The row tint that goes with the badge (literal, for Tailwind). */
export const BREAK_GLASS_ROW = "bg-alert-danger-bg/50 hover:bg-alert-danger-bg/70";
