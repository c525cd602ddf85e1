import Link from "next/link";
import { formatDate } from "@/components/ui/format";
import { TableCard } from "@/components/ui/table-card";
import { keyHref } from "@/lib/inventory/key-href";
import type { KeyRow } from "@/lib/inventory";
import type { ScheduleQuery } from "@/lib/schedules/lists";
import { DAY_MS } from "@/lib/schedules/policy";
import { EmptyNote, ListFooter } from "./list-footer";

/** The keys behind the timeline, soonest ValidTo first: `rows` is the page shown of `total`. */
export function KeysAhead({
  rows,
  total,
  query,
  now,
  days,
  warningDays,
  targets,
}: {
  rows: KeyRow[];
  total: number;
  query: ScheduleQuery;
  now: number;
  days: number;
  warningDays: number;
  targets: Map<string, string>;
}) {
  if (rows.length === 0) return <EmptyNote>{`No key material expires in the next ${days} days.`}</EmptyNote>;
  return (
    <div>
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
          {rows.map((key) => (
            <tr key={`${key.targetId}/${key.region}/${key.keyId}`}>
              <td className="px-4 py-2 text-ink-700">
                {targets.get(key.targetId) ?? key.targetId} · <span className="font-mono text-xs">{key.region}</span>
              </td>
              <td className="px-4 py-2">
                <Link href={keyHref(key)} className="text-accent-700 hover:underline">
                  {key.aliases[0] ?? key.keyId}
                </Link>
              </td>
              <td className="px-4 py-2 text-ink-700">{key.validTo ? formatDate(key.validTo) : "—"}</td>
              <td className="px-4 py-2 text-ink-700">{key.validTo && key.validTo.getTime() - now <= warningDays * DAY_MS ? "Yes" : "No"}</td>
            </tr>
          ))}
        </tbody>
      </TableCard>
      <ListFooter list="validto" query={query} total={total} shown={rows.length} noun="key" label={`keys whose ValidTo falls in the next ${days} days`} />
    </div>
  );
}
