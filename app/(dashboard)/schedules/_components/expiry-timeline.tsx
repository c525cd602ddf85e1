import Link from "next/link";
import { formatDate } from "@/components/ui/format";
import { TableCard } from "@/components/ui/table-card";
import { timelineFills } from "@/components/ui/tone";
import { keyHref } from "@/lib/inventory/key-href";
import type { TimelineRow } from "@/lib/schedules";
import { DAY_MS } from "@/lib/schedules/policy";

const LABEL_W = 220;
const PLOT_W = 720;
const ROW_H = 28;
const AXIS_H = 24;

/**
 * Every ValidTo in the next `days` days, one row per account and Region, drawn on the server as SVG: the
 * warning window (ValidTo within it counts as expiring) shaded, a mark per key. The drawing is one image
 * to a screen reader (its label sums it up); the same data follows as a table, key by key.
 */
export function ExpiryTimeline({
  rows,
  now,
  days,
  warningDays,
  targets,
}: {
  rows: TimelineRow[];
  now: number;
  days: number;
  warningDays: number;
  targets: Map<string, string>;
}) {
  if (rows.length === 0) {
    return <p className="rounded-card border border-dashed border-ink-300 bg-white px-4 py-4 text-sm text-ink-600">No key material expires in the next {days} days.</p>;
  }
  const x = (t: number) => LABEL_W + Math.max(0, Math.min(1, (t - now) / (days * DAY_MS))) * PLOT_W;
  const height = AXIS_H + rows.length * ROW_H;
  const weeks = Array.from({ length: Math.floor(days / 7) + 1 }, (_, i) => i * 7);
  const rowLabel = (row: TimelineRow) => `${targets.get(row.targetId) ?? row.targetId} · ${row.region}`;
  const count = rows.reduce((n, r) => n + r.keys.length, 0);

  return (
    <div className="space-y-3">
      <div className="overflow-x-auto rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200">
        <svg
          role="img"
          aria-label={`Key material ValidTo over the next ${days} days: ${count} keys in ${rows.length} account and Region rows; the first ${warningDays} days, the warning window, are shaded.`}
          viewBox={`0 0 ${LABEL_W + PLOT_W + 10} ${height}`}
          className="w-full min-w-[720px]"
        >
          <rect x={LABEL_W} y={0} width={x(now + warningDays * DAY_MS) - LABEL_W} height={height} className={timelineFills.warningWindow} />
          {weeks.map((d) => (
            <g key={d}>
              <line x1={x(now + d * DAY_MS)} x2={x(now + d * DAY_MS)} y1={AXIS_H - 4} y2={height} className="stroke-ink-200" />
              <text x={x(now + d * DAY_MS) + 2} y={12} className="fill-ink-500 text-[10px]">
                {d === 0 ? "today" : `+${d} d`}
              </text>
            </g>
          ))}
          {rows.map((row, i) => {
            const y = AXIS_H + i * ROW_H;
            return (
              <g key={`${row.targetId}/${row.region}`}>
                <line x1={LABEL_W} x2={LABEL_W + PLOT_W} y1={y + ROW_H / 2} y2={y + ROW_H / 2} className="stroke-ink-100" />
                <text x={0} y={y + ROW_H / 2 + 4} className="fill-ink-700 text-[11px]">
                  {rowLabel(row)}
                </text>
                {row.keys.map(({ key, validTo }) => (
                  <circle
                    key={key.keyId}
                    cx={x(validTo.getTime())}
                    cy={y + ROW_H / 2}
                    r={5}
                    className={validTo.getTime() - now <= warningDays * DAY_MS ? timelineFills.expiring : timelineFills.later}
                  />
                ))}
              </g>
            );
          })}
        </svg>
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer text-accent-700 hover:underline">The timeline as a table</summary>
        <div className="mt-2">
          <TableCard
            caption={`Key material ValidTo over the next ${days} days`}
            head={
              <>
                <th scope="col" className="px-4 py-2">Account · Region</th>
                <th scope="col" className="px-4 py-2">Key</th>
                <th scope="col" className="px-4 py-2">ValidTo</th>
                <th scope="col" className="px-4 py-2">In the warning window</th>
              </>
            }
          >
            <tbody className="divide-y divide-ink-100">
              {rows.flatMap((row) =>
                row.keys.map(({ key, validTo }) => (
                  <tr key={`${row.targetId}/${row.region}/${key.keyId}`}>
                    <td className="px-4 py-2 text-ink-700">{rowLabel(row)}</td>
                    <td className="px-4 py-2">
                      <Link href={keyHref(key)} className="text-accent-700 hover:underline">
                        {key.aliases[0] ?? key.keyId}
                      </Link>
                    </td>
                    <td className="px-4 py-2 text-ink-700">{formatDate(validTo)}</td>
                    <td className="px-4 py-2 text-ink-700">{validTo.getTime() - now <= warningDays * DAY_MS ? "Yes" : "No"}</td>
                  </tr>
                )),
              )}
            </tbody>
          </TableCard>
        </div>
      </details>
    </div>
  );
}
