/**
 * Formatting shared by server and client components. Built on Intl (no hand-rolled
 * calendar maths); times are shown in UTC with the zone named, since custodians,
 * approvers and AWS rarely share a time zone.
 */

const dateTime = new Intl.DateTimeFormat("en-GB", {
  year: "numeric",
  month: "short",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
  timeZoneName: "short",
});

const dateOnly = new Intl.DateTimeFormat("en-GB", { year: "numeric", month: "short", day: "2-digit", timeZone: "UTC" });

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function formatDateTime(value: Date | string | number): string {
  return dateTime.format(new Date(value));
}

export function formatDate(value: Date | string | number): string {
  return dateOnly.format(new Date(value));
}

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 24 * 3600_000],
  ["month", 30 * 24 * 3600_000],
  ["week", 7 * 24 * 3600_000],
  ["day", 24 * 3600_000],
  ["hour", 3600_000],
  ["minute", 60_000],
  ["second", 1000],
];

/** "in 3 days", "2 hours ago": the largest unit that fits, relative to `now`. */
export function formatRelative(value: Date | string | number, now: number): string {
  const diff = new Date(value).getTime() - now;
  const abs = Math.abs(diff);
  for (const [unit, ms] of UNITS) {
    if (abs >= ms || unit === "second") return relative.format(Math.round(diff / ms), unit);
  }
  return relative.format(0, "second");
}

const hours = new Intl.NumberFormat("en", { style: "unit", unit: "hour", unitDisplay: "long" });
const minutes = new Intl.NumberFormat("en", { style: "unit", unit: "minute", unitDisplay: "long" });

/** A length of time in whole hours when it is one ("8 hours", "1 hour"), else in minutes ("90 minutes"). */
export function formatDuration(seconds: number): string {
  const m = Math.round(seconds / 60);
  return m % 60 === 0 ? hours.format(m / 60) : minutes.format(m);
}

const pluralRules = new Intl.PluralRules("en");

/**
 * A count with its noun in the right number: "1 key", "18 keys", "1,204 events". `other` defaults to `one`
 * plus "s"; give it for irregular nouns ("1 person", "3 people").
 */
export function formatCount(count: number, one: string, other = `${one}s`): string {
  return `${count.toLocaleString("en")} ${pluralRules.select(count) === "one" ? one : other}`;
}
