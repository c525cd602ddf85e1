import Link from "next/link";
import type { TargetNames } from "@/components/imports/requests-table";
import type { BucketRange, PendingFilter, PendingQuery } from "@/lib/imports/pending-filters";
import { pendingHref } from "@/lib/imports/pending-filters";
import type { CountKind, ScopeCounts } from "@/lib/imports/pending-queries";

type Column = { kind: CountKind; label: string; href: (scope: PendingFilter) => string };

/**
 * Everything pending at a glance, per account and Region, counted in SQL: keys waiting for key material, open
 * requests by what they wait for, expiring material by days left, and (for reviewers) drift. Every count links
 * to its list filtered to that account and Region; the last row links the whole list.
 */
export function PendingCounts({
  scopes,
  targets,
  buckets,
  drift,
  filter,
}: {
  scopes: ScopeCounts[];
  targets: TargetNames;
  buckets: BucketRange[];
  drift: boolean;
  filter: PendingFilter;
}) {
  const to = (query: PendingQuery) => pendingHref(query);
  const columns: Column[] = [
    { kind: "keys-waiting", label: "Waiting for material", href: (s) => to({ ...s, list: "keys-waiting" }) },
    { kind: "outstanding", label: "Parameters outstanding", href: (s) => to({ ...s, list: "outstanding" }) },
    { kind: "awaiting", label: "Awaiting approval", href: (s) => to({ ...s, list: "awaiting" }) },
    { kind: "attention", label: "Failed or expired", href: (s) => to({ ...s, list: "attention" }) },
    ...buckets.map((b): Column => ({ kind: b.bucket, label: b.bucket === "expired" ? "Material expired" : `Expiring ${b.label}`, href: (s) => to({ ...s, list: "expiring", expiry: b.bucket }) })),
    // Findings are listed whole (newest first) in their own section, not filtered.
    ...(drift ? [{ kind: "drift" as const, label: "Changed outside Keyport", href: () => "/imports#drift" }] : []),
  ];
  const total = (kind: CountKind) => scopes.reduce((n, s) => n + (s.counts[kind] ?? 0), 0);
  const cell = (n: number, href: string, label: string) =>
    n ? (
      <Link href={href} aria-label={label} className="font-medium text-accent-700 tabular-nums hover:underline">
        {n.toLocaleString("en")}
      </Link>
    ) : (
      <span className="text-ink-400 tabular-nums">0</span>
    );

  return (
    <div role="region" aria-label="Pending by account and Region" tabIndex={0} className="relative overflow-x-auto rounded-card bg-white shadow-card ring-1 ring-ink-200">
      <table className="min-w-full divide-y divide-ink-200 text-sm">
        <caption className="sr-only">Pending by account and Region</caption>
        <thead className="bg-ink-50 text-left text-xs font-semibold text-ink-600">
          <tr>
            <th scope="col" className="px-3 py-2">Account · Region</th>
            {columns.map((c) => (
              <th key={c.kind} scope="col" className="px-3 py-2 text-right">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-ink-100">
          {scopes.map((s) => {
            const scope = { target: s.targetId, region: s.region };
            const name = `${targets.get(s.targetId)?.name ?? s.targetId} · ${s.region}`;
            const current = filter.target === s.targetId && filter.region === s.region;
            return (
              <tr key={`${s.targetId}|${s.region}`} className={current ? "bg-accent-50" : undefined} aria-current={current ? "true" : undefined}>
                <th scope="row" className="whitespace-nowrap px-3 py-2 text-left font-normal text-ink-800">
                  {name}
                </th>
                {columns.map((c) => (
                  <td key={c.kind} className="px-3 py-2 text-right">
                    {cell(s.counts[c.kind] ?? 0, c.href(scope), `${c.label}, ${name}: ${s.counts[c.kind] ?? 0}`)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
        <tfoot className="border-t border-ink-200 bg-ink-50/60">
          <tr>
            <th scope="row" className="px-3 py-2 text-left font-semibold text-ink-900">
              All accounts and Regions
            </th>
            {columns.map((c) => (
              <td key={c.kind} className="px-3 py-2 text-right">
                {cell(total(c.kind), c.href({}), `${c.label}, all accounts and Regions: ${total(c.kind)}`)}
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
