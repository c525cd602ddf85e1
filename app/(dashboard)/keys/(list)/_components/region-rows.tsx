import Link from "next/link";
import type { ReactNode } from "react";
import { ExpiryCell } from "@/components/key-expiry";
import { Badge, KeyStateBadge } from "@/components/ui/badge";
import { toneClasses } from "@/components/ui/tone";
import { BREAK_GLASS_ROW, BreakGlassBadge } from "@/components/imports/break-glass-badge";
import type { KeyRow } from "@/lib/inventory";
import { regionDifferences, regionRole } from "@/lib/inventory/multi-region";
import { keyHref } from "@/lib/inventory/key-href";

/**
 * A multi-Region key on the key list: a summary under its name (how many Regions, and where they differ),
 * its Region's role beside the Region, and a row for each other Region of the set.
 */

export function MultiRegionSummary({ regions }: { regions: KeyRow[] }) {
  const differences = regionDifferences(regions);
  return (
    <div className="mt-1 space-y-1">
      <Badge tone="accent" dot={false}>
        Multi-Region{regions.length > 1 ? ` · ${regions.length} Regions` : ""}
      </Badge>
      {differences.length > 0 && (
        <div className={`text-xs ${toneClasses.expiring.text}`}>
          <Badge tone="expiring">Regions differ</Badge>
          <ul className="mt-1 list-inside list-disc">
            {differences.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

export function RegionRole({ row }: { row: KeyRow }) {
  const role = regionRole(row);
  return role && <span className="block font-sans text-ink-500">{role}</span>;
}

export function RegionRow({
  row,
  now,
  warningDays,
  request,
  brokenGlass,
}: {
  row: KeyRow;
  now: number;
  warningDays: number;
  request: ReactNode;
  brokenGlass: boolean;
}) {
  const role = regionRole(row) ?? "Related key";
  return (
    <tr className={brokenGlass ? BREAK_GLASS_ROW : "bg-ink-50/40 hover:bg-ink-50/80"}>
      <td className="px-4 py-2 pl-8">
        <Link href={keyHref(row)} className="block rounded border-l-2 border-accent-200 pl-3 text-sm text-accent-700 hover:underline">
          {role} in {row.region}
        </Link>
        {brokenGlass && <BreakGlassBadge />}
      </td>
      <td className="px-4 py-2 text-xs text-ink-500">
        <span aria-hidden>same</span>
        <span className="sr-only">Same account</span>
      </td>
      <td className="whitespace-nowrap px-4 py-2 font-mono text-xs text-ink-700">
        {row.region}
        <RegionRole row={row} />
      </td>
      <td className="px-4 py-2 text-xs text-ink-500">
        <span aria-hidden>same</span>
        <span className="sr-only">Same key spec</span>
      </td>
      <td className="whitespace-nowrap px-4 py-2">{row.keyState ? <KeyStateBadge state={row.keyState} /> : "—"}</td>
      <td className="whitespace-nowrap px-4 py-2">
        <ExpiryCell expirationModel={row.expirationModel} validTo={row.validTo} keyState={row.keyState} now={now} warningDays={warningDays} />
      </td>
      <td className="px-4 py-2">{request}</td>
    </tr>
  );
}
