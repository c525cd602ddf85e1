import Link from "next/link";
import { TableCard } from "@/components/ui/table-card";
import { formatDate, formatRelative } from "@/components/ui/format";
import { keyHref } from "@/lib/inventory/key-href";
import type { ReimportDue } from "@/lib/schedules";
import { DUE_BUCKET_LABELS, type DueBucket } from "@/lib/schedules/policy";
import { StartReimportButton } from "./start-reimport-button";

const SHOWN: DueBucket[] = ["overdue", "this_week", "next_week"];

const EMPTY: Record<DueBucket, string> = {
  overdue: "No reimport is overdue.",
  this_week: "No reimport falls due in the next 7 days.",
  next_week: "No reimport falls due in the 7 days after.",
  later: "",
};

/**
 * Reimports due: overdue, this week (the next 7 days) and next week (the 7 after), each key's due date being
 * its ValidTo less its policy's days. Those who may start one do it here in one click.
 */
export function DueLists({ due, targets, now, canStart }: { due: ReimportDue[]; targets: Map<string, string>; now: number; canStart: boolean }) {
  return (
    <div className="space-y-6">
      {SHOWN.map((bucket) => {
        const rows = due.filter((d) => d.bucket === bucket);
        const headingId = `due-${bucket}`;
        return (
          <section key={bucket} aria-labelledby={headingId}>
            <h3 id={headingId} className="mb-2 text-sm font-semibold text-ink-900">
              {DUE_BUCKET_LABELS[bucket]} <span className="font-normal text-ink-500">({rows.length})</span>
            </h3>
            {rows.length === 0 ? (
              <p className="rounded-card border border-dashed border-ink-300 bg-white px-4 py-4 text-sm text-ink-600">{EMPTY[bucket]}</p>
            ) : (
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
            )}
          </section>
        );
      })}
    </div>
  );
}
