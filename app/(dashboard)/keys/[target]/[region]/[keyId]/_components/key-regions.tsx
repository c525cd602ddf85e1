import Link from "next/link";
import { ExpiryCell } from "@/components/key-expiry";
import { Badge, KeyStateBadge } from "@/components/ui/badge";
import { toneClasses } from "@/components/ui/tone";
import type { KeyRow } from "@/lib/inventory";
import { keyHref } from "@/lib/inventory/key-href";
import { regionDifferences, regionRole } from "@/lib/inventory/multi-region";

/**
 * Every Region of a multi-Region key the inventory holds: each keeps its own state and ValidTo, and takes its
 * own import of the same material (KMS never copies imported material between Regions).
 */
export function KeyRegions({ current, regions, now, warningDays }: { current: KeyRow; regions: KeyRow[]; now: number; warningDays: number }) {
  const differences = regionDifferences(regions);
  return (
    <section aria-labelledby="regions-heading" className="rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200 lg:col-span-3">
      <h2 id="regions-heading" className="text-sm font-semibold text-ink-900">
        Regions of this multi-Region key
      </h2>
      <p className="mt-1 text-sm text-ink-600">
        Each Region holds its own copy of the key material, imported separately; ciphertext moves between Regions only when they hold the same material.
      </p>
      {differences.length > 0 && (
        <div className={`mt-3 flex flex-wrap items-center gap-2 text-sm ${toneClasses.expiring.text}`}>
          <Badge tone="expiring">Regions differ</Badge>
          {differences.join("; ")}.
        </div>
      )}
      <table className="mt-3 w-full text-left text-sm">
        <caption className="sr-only">Regions of this multi-Region key</caption>
        <thead className="text-xs uppercase tracking-wide text-ink-500">
          <tr>
            <th scope="col" className="py-2 pr-4 font-semibold">Region</th>
            <th scope="col" className="py-2 pr-4 font-semibold">Role</th>
            <th scope="col" className="py-2 pr-4 font-semibold">State</th>
            <th scope="col" className="py-2 font-semibold">Key material</th>
          </tr>
        </thead>
        <tbody>
          {regions.map((row) => (
            <tr key={row.region} className="border-t border-ink-100 align-top">
              <td className="py-2 pr-4 font-mono text-xs">
                {row.region === current.region ? (
                  <span aria-current="page">{row.region} (this page)</span>
                ) : (
                  <Link href={keyHref(row)} className="text-accent-700 hover:underline">
                    {row.region}
                  </Link>
                )}
              </td>
              <td className="py-2 pr-4 text-ink-700">{regionRole(row) ?? "—"}</td>
              <td className="py-2 pr-4">{row.keyState ? <KeyStateBadge state={row.keyState} /> : "—"}</td>
              <td className="py-2">
                <ExpiryCell expirationModel={row.expirationModel} validTo={row.validTo} keyState={row.keyState} now={now} warningDays={warningDays} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
