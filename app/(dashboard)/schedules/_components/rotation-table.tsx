import Link from "next/link";
import { TableCard } from "@/components/ui/table-card";
import { keyHref } from "@/lib/inventory/key-href";
import type { KeyRow } from "@/lib/inventory";
import { ROTATION_STATE_LABELS, type ScheduleQuery } from "@/lib/schedules/lists";
import { ROTATION_LIMIT, rotationStatusText, type RotationStatus } from "@/lib/schedules/policy";
import { EmptyNote, ListFooter } from "./list-footer";

export type RotationEntry = { key: KeyRow; everyDays: number; source: "key" | "target"; status: RotationStatus | { error: string } };

/**
 * Keys rotating on a schedule: where each stands (due, next due, stopped at the limit, blocked and why) and
 * its on-demand rotations used and left of the ten AWS KMS allows per key.
 */
export function RotationTable({
  rows,
  total,
  query,
  targets,
}: {
  rows: RotationEntry[];
  /** How many the list holds (in the state asked for, if any); `rows` is the page shown. */
  total: number;
  query: ScheduleQuery;
  targets: Map<string, string>;
}) {
  const state = query.list === "rotations" ? query.status : undefined;
  if (rows.length === 0) {
    return (
      <EmptyNote>
        {state
          ? `No scheduled rotation is in the state “${ROTATION_STATE_LABELS[state]}”.`
          : "No symmetric key has a rotation schedule. Set “New material every” on a key or an account below."}
      </EmptyNote>
    );
  }
  const label = state ? `scheduled rotations: ${ROTATION_STATE_LABELS[state].toLowerCase()}` : "keys rotating on a schedule";
  return (
    <>
      <TableCard
        caption="Keys rotating on a schedule"
        head={
          <>
            <th scope="col" className="px-4 py-2">Key</th>
            <th scope="col" className="px-4 py-2">Account · Region</th>
            <th scope="col" className="px-4 py-2">Every</th>
            <th scope="col" className="px-4 py-2">Rotations used</th>
            <th scope="col" className="px-4 py-2">Status</th>
          </>
        }
      >
        <tbody className="divide-y divide-ink-100">
          {rows.map(({ key, everyDays, source, status }) => (
            <tr key={`${key.targetId}/${key.region}/${key.keyId}`}>
              <td className="px-4 py-2">
                <Link href={keyHref(key)} className="font-medium text-accent-700 hover:underline">
                  {key.aliases[0] ?? key.keyId}
                </Link>
              </td>
              <td className="px-4 py-2 text-ink-700">
                {targets.get(key.targetId) ?? key.targetId} · <span className="font-mono text-xs">{key.region}</span>
              </td>
              <td className="px-4 py-2 text-ink-700">
                {everyDays} days <span className="text-xs text-ink-500">({source === "key" ? "key's own" : "account's"})</span>
              </td>
              <td className="px-4 py-2 text-ink-700">
                {"error" in status || status.used === null ? "—" : `${status.used} of ${ROTATION_LIMIT}`}
              </td>
              <td className="px-4 py-2 text-xs text-ink-700">{"error" in status ? status.error : rotationStatusText(status)}</td>
            </tr>
          ))}
        </tbody>
      </TableCard>
      <ListFooter list="rotations" query={query} total={total} shown={rows.length} noun="key" label={label} />
    </>
  );
}
