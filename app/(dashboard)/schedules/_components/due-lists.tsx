import Link from "next/link";
import { TableCard } from "@/components/ui/table-card";
import { formatDate, formatRelative } from "@/components/ui/format";
import { keyHref } from "@/lib/inventory/key-href";
import type { ReimportDue } from "@/lib/schedules";
import type { DueList as DueListName, ScheduleQuery } from "@/lib/schedules/lists";
import { DUE_BUCKET_LABELS } from "@/lib/schedules/policy";
import { EmptyNote, ListFooter } from "./list-footer";
import { StartReimportButton } from "./start-reimport-button";

const EMPTY: Record<DueListName, string> = {
  overdue: "No reimport is overdue.",
  this_week: "No reimport falls due in the next 7 days.",
  next_week: "No reimport falls due in the 7 days after.",
};

/**
 * One list of reimports due: overdue, this week (the next 7 days) or next week (the 7 after), each key's due
 * date being its ValidTo less its policy's days; `total` is the list's count, `rows` the page shown. Those
 * who may start one do it here in one click.
 */
export function DueList({
  bucket,
  rows,
  total,
  query,
  targets,
  now,
  canStart,
}: {
  bucket: DueListName;
  rows: ReimportDue[];
  total: number;
  query: ScheduleQuery;
  targets: Map<string, string>;
  now: number;
  canStart: boolean;
}) {
  const headingId = `due-${bucket}`;
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId} className="mb-2 text-sm font-semibold text-ink-900">
        {DUE_BUCKET_LABELS[bucket]} <span className="font-normal text-ink-500">({total.toLocaleString("en")})</span>
      </h3>
      {rows.length === 0 ? (
        <EmptyNote>{EMPTY[bucket]}</EmptyNote>
      ) : (
        <>
          <TableCard
            caption={`Reimports ${DUE_BUCKET_LABELS[bucket].toLowerCase()}`}
            head={
              <>
                <th scope="col" className="px-4 py-2">Key</th>
                <th scope="col" className="px-4 py-2">Account · Region</th>
                <th scope="col" className="px-4 py-2">Due</th>
                <th scope="col" className="px-4 py-2">ValidTo</th>
                <th scope="col" className="px-4 py-2">Policy</th>
                {canStart && <th scope="col" className="px-4 py-2"><span className="sr-only">Action</span></th>}
              </>
            }
          >
            <tbody className="divide-y divide-ink-100">
              {rows.map(({ key, dueAt, validTo, policy, copyable }) => {
                const label = key.aliases[0] ?? key.keyId;
                return (
                  <tr key={`${key.targetId}/${key.region}/${key.keyId}`}>
                    <td className="px-4 py-2">
                      <Link href={keyHref(key)} className="font-medium text-accent-700 hover:underline">
                        {label}
                      </Link>
                    </td>
                    <td className="px-4 py-2 text-ink-700">
                      {targets.get(key.targetId) ?? key.targetId} · <span className="font-mono text-xs">{key.region}</span>
                    </td>
                    <td className="px-4 py-2 text-ink-900">
                      {formatDate(dueAt)} <span className="text-xs text-ink-500">({formatRelative(dueAt, now)})</span>
                    </td>
                    <td className="px-4 py-2 text-ink-700">{formatDate(validTo)}</td>
                    <td className="px-4 py-2 text-xs text-ink-600">
                      {policy.reimportDaysBefore} days before, {policy.source === "key" ? "key's own" : "account's"}
                    </td>
                    {canStart && (
                      <td className="px-4 py-2">
                        {copyable ? (
                          <StartReimportButton target={key.targetId} region={key.region} keyId={key.keyId} label={label} />
                        ) : (
                          // Imported outside Keyport: no earlier choices to copy, so the start form asks for them.
                          <Link href={`${keyHref(key)}/import`} className="whitespace-nowrap text-xs font-medium text-accent-700 hover:underline">
                            Choose and reimport
                          </Link>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </TableCard>
          <ListFooter list={bucket} query={query} total={total} shown={rows.length} noun="key" label={`keys ${DUE_BUCKET_LABELS[bucket].toLowerCase()}`} />
        </>
      )}
    </section>
  );
}
