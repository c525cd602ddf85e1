import { formatCount } from "@/components/ui/format";
import { TableCard } from "@/components/ui/table-card";
import { timelineFills } from "@/components/ui/tone";
import type { TimelineCell } from "@/lib/schedules";
import { DAY_MS } from "@/lib/schedules/policy";
import { EmptyNote } from "./list-footer";

const LABEL_W = 220;
const PLOT_W = 720;
const ROW_H = 28;
const AXIS_H = 24;

type Row = { targetId: string; region: string; cells: TimelineCell[] };

function rowsOf(cells: TimelineCell[]): Row[] {
  const rows = new Map<string, Row>();
  for (const cell of cells) {
    const id = `${cell.targetId}\u0000${cell.region}`;
    const row = rows.get(id) ?? { targetId: cell.targetId, region: cell.region, cells: [] };
    row.cells.push(cell);
    rows.set(id, row);
  }
  return [...rows.values()].sort((a, b) => a.targetId.localeCompare(b.targetId) || a.region.localeCompare(b.region));
}

/**
 * Every ValidTo in the next `days` days, counted per account and Region and per week (SQL GROUP BY), drawn
 * on the server as SVG: the warning window (ValidTo within it counts as expiring) shaded, one mark per week
 * that has keys, sized by how many, placed at their mean ValidTo. The drawing is one image to a screen reader
 * (its label sums it up); the same counts follow as a table. The keys themselves are listed, paged, below.
 */
export function ExpiryTimeline({
  cells,
  now,
  days,
  warningDays,
  targets,
}: {
  cells: TimelineCell[];
  now: number;
  days: number;
  warningDays: number;
  targets: Map<string, string>;
}) {
  if (cells.length === 0) return <EmptyNote>{`No key material expires in the next ${days} days.`}</EmptyNote>;
  const rows = rowsOf(cells);
  const x = (t: number) => LABEL_W + Math.max(0, Math.min(1, (t - now) / (days * DAY_MS))) * PLOT_W;
  const height = AXIS_H + rows.length * ROW_H;
  const weeks = Array.from({ length: Math.ceil(days / 7) }, (_, i) => i);
  const rowLabel = (row: Row) => `${targets.get(row.targetId) ?? row.targetId} · ${row.region}`;
  const count = cells.reduce((n, c) => n + c.keys, 0);
  const inWarning = cells.reduce((n, c) => n + (c.inWarning ? c.keys : 0), 0);
  const weekLabel = (w: number) => `+${w * 7}–${Math.min(days, w * 7 + 6)} d`;
  return (
    <div className="space-y-3">
      <p className="text-sm text-ink-700">
        {formatCount(count, "key")} with a ValidTo in the next {days} days, {inWarning.toLocaleString("en")} of them within the {warningDays}-day warning window.
      </p>
      <div className="overflow-x-auto rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200">
        <svg
          role="img"
          aria-label={`Key material ValidTo over the next ${days} days: ${count} keys in ${rows.length} account and Region rows, counted by week; the first ${warningDays} days, the warning window, are shaded.`}
          viewBox={`0 0 ${LABEL_W + PLOT_W + 10} ${height}`}
          className="w-full min-w-[720px]"
        >
          <rect x={LABEL_W} y={0} width={x(now + warningDays * DAY_MS) - LABEL_W} height={height} className={timelineFills.warningWindow} />
          {[...weeks, weeks.length].map((w) => (
            <g key={w}>
              <line x1={x(now + w * 7 * DAY_MS)} x2={x(now + w * 7 * DAY_MS)} y1={AXIS_H - 4} y2={height} className="stroke-ink-200" />
              <text x={x(now + w * 7 * DAY_MS) + 2} y={12} className="fill-ink-500 text-[10px]">
                {w === 0 ? "today" : `+${w * 7} d`}
              </text>
            </g>
          ))}
          {rows.map((row, i) => {
            const y = AXIS_H + i * ROW_H + ROW_H / 2;
            return (
              <g key={`${row.targetId}/${row.region}`}>
                <line x1={LABEL_W} x2={LABEL_W + PLOT_W} y1={y} y2={y} className="stroke-ink-100" />
                <text x={0} y={y + 4} className="fill-ink-700 text-[11px]">
                  {rowLabel(row)}
                </text>
                {row.cells.map((cell) => (
                  <circle
                    key={`${cell.week}/${cell.inWarning}`}
                    cx={x(cell.meanValidTo.getTime())}
                    cy={y}
                    r={Math.min(12, 4 + Math.sqrt(cell.keys))}
                    className={cell.inWarning ? timelineFills.expiring : timelineFills.later}
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
            caption={`Keys whose ValidTo falls in each week of the next ${days} days`}
            head={
              <>
                <th scope="col" className="px-3 py-2">Account · Region</th>
                {weeks.map((w) => (
                  <th key={w} scope="col" className="whitespace-nowrap px-3 py-2 text-right">
                    {weekLabel(w)}
                  </th>
                ))}
                <th scope="col" className="px-3 py-2 text-right">In the warning window</th>
              </>
            }
          >
            <tbody className="divide-y divide-ink-100">
              {rows.map((row) => (
                <tr key={`${row.targetId}/${row.region}`}>
                  <th scope="row" className="whitespace-nowrap px-3 py-2 text-left font-normal text-ink-700">
                    {rowLabel(row)}
                  </th>
                  {weeks.map((w) => (
                    <td key={w} className="px-3 py-2 text-right text-ink-700">
                      {row.cells.filter((c) => c.week === w).reduce((n, c) => n + c.keys, 0) || "—"}
                    </td>
                  ))}
                  <td className="px-3 py-2 text-right text-ink-700">{row.cells.reduce((n, c) => n + (c.inWarning ? c.keys : 0), 0)}</td>
                </tr>
              ))}
            </tbody>
          </TableCard>
        </div>
      </details>
    </div>
  );
}
