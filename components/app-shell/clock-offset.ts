/**
 * How far the demo clock is from the real time, for the DEMO marker: "+1 d 2 h", "−45 s", "+1 h 30 min".
 * The two largest units that are not zero, so it stays short in the top bar.
 */
const UNITS: Array<[string, number]> = [
  ["d", 24 * 3600_000],
  ["h", 3600_000],
  ["min", 60_000],
  ["s", 1000],
];

export function formatClockOffset(ms: number): string {
  let rest = Math.round(Math.abs(ms) / 1000) * 1000;
  if (rest === 0) return "±0";
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n} ${unit}`);
    else if (parts.length) break; // "+1 d 5 min" would read as a misprint: stop at the first gap.
    if (parts.length === 2) break;
  }
  return `${ms < 0 ? "\u2212" : "+"}${parts.join(" ")}`;
}
