import { formatDateTime, formatRelative } from "./format";

/**
 * A moment as "3 hours ago · 01 Dec 2026, 18:04 UTC": the relative time to read at a glance, and the absolute
 * UTC time beside it, machine-readable in <time dateTime>, for evidence that still means something once the
 * page is printed or pasted into a ticket. `prefix` reads before the relative part ("Expires in 5 days").
 */
export function Timestamp({
  value,
  now,
  prefix,
  stacked = false,
  className = "",
}: {
  value: Date | string;
  now: number;
  prefix?: string;
  /** The absolute time on its own line under the relative one (narrow table columns). */
  stacked?: boolean;
  className?: string;
}) {
  const at = new Date(value);
  if (stacked)
    return (
      <span className={`block whitespace-nowrap ${className}`}>
        <span className="block">
          {prefix ? `${prefix} ` : ""}
          {formatRelative(at, now)}
        </span>
        <time dateTime={at.toISOString()} className="block tabular-nums text-ink-500">
          {formatDateTime(at)}
        </time>
      </span>
    );
  return (
    <span className={`whitespace-nowrap ${className}`}>
      {prefix ? `${prefix} ` : ""}
      {formatRelative(at, now)}
      <span className="text-ink-400"> · </span>
      <time dateTime={at.toISOString()} className="tabular-nums">
        {formatDateTime(at)}
      </time>
    </span>
  );
}

/** Just the absolute UTC time in a <time> element ("until 01 Dec 2026, 18:04 UTC" under a live countdown). */
export function AbsoluteTime({ value, prefix, className = "" }: { value: Date | string; prefix?: string; className?: string }) {
  const at = new Date(value);
  return (
    <span className={`whitespace-nowrap ${className}`}>
      {prefix ? `${prefix} ` : ""}
      <time dateTime={at.toISOString()} className="tabular-nums">
        {formatDateTime(at)}
      </time>
    </span>
  );
}
