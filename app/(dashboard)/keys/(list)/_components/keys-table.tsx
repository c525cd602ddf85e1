import Link from "next/link";
import { keyRefId } from "@/lib/inventory/material-summary";
import { TableCard } from "@/components/ui/table-card";
import { KeyStateBadge } from "@/components/ui/badge";
import { requestStateTone, toneClasses } from "@/components/ui/tone";
import { importDeps, read } from "@/lib/imports";
import { labelOf } from "@/lib/imports/labels";
import type { KeyEntry } from "@/lib/inventory";
import { keysQueryString, type KeysQuery } from "@/lib/inventory/schemas";
import type { SortKey } from "@/lib/inventory/sort";
import { ExpiryCell } from "@/components/key-expiry";
import { formatCount } from "@/components/ui/format";
import { keyHref } from "@/lib/inventory/key-href";
import { BREAK_GLASS_ROW, BreakGlassBadge } from "@/components/imports/break-glass-badge";
import { MultiRegionSummary, RegionRole, RegionRow } from "./region-rows";

type TargetInfo = { id: string; name: string; accountId: string };

const COLUMNS: Array<{ label: string; sort?: SortKey; className?: string }> = [
  { label: "Key", sort: "alias" },
  { label: "Account", sort: "target" },
  { label: "Region", sort: "region" },
  { label: "Key spec", sort: "keySpec" },
  { label: "State", sort: "state" },
  { label: "Key material", sort: "validTo" },
  { label: "Request" },
];

/**
 * The key list: a server-rendered table (50 entries a page), sortable by links that keep the filters, with
 * each key's open import request (lib/imports) in the last column. A multi-Region key is one entry: the
 * Region that matched the filters leads (the primary when it matches), its other Regions follow beneath. A key
 * (Region) whose material break glass deleted is tinted red until it is imported again under dual control.
 */
export async function KeysTable({
  entries,
  query,
  now,
  warningDays,
  targets,
}: {
  entries: KeyEntry[];
  query: KeysQuery;
  now: number;
  warningDays: number;
  targets: TargetInfo[];
}) {
  const targetName = new Map(targets.map((t) => [t.id, t.name]));
  const rows = entries.flatMap((entry) => (entry.regions.length > 0 ? entry.regions : [entry.key]));
  const openRequests = await read.openRequestByKey(await importDeps(), rows);
  const brokenGlass = await read.brokenGlassKeys(await importDeps(), rows.map((row) => row.arn));
  return (
    <TableCard
      caption={`External KMS keys, sorted by ${query.sort} (${query.dir === "asc" ? "ascending" : "descending"})`}
      head={
        <>
          {COLUMNS.map((column) => (
            <th
              key={column.label}
              scope="col"
              aria-sort={column.sort && column.sort === query.sort ? (query.dir === "asc" ? "ascending" : "descending") : undefined}
              className={`whitespace-nowrap px-4 py-3 ${column.className ?? ""}`}
            >
              {column.sort ? <SortLink query={query} sort={column.sort} label={column.label} /> : column.label}
            </th>
          ))}
        </>
      }
    >
      {entries.map(({ key: row, regions }) => (
        // One tbody per entry: a multi-Region key's Regions are rows of the same group.
        <tbody key={`${row.targetId}/${row.region}/${row.keyId}`} className="border-t border-ink-100 first:border-t-0">
          <tr className={brokenGlass.has(row.arn) ? BREAK_GLASS_ROW : "hover:bg-ink-50/60"}>
            <td className="max-w-xs px-4 py-3">
              <Link href={keyHref(row)} className="group block rounded focus-visible:outline-offset-4">
                <span className="block truncate font-medium text-accent-700 group-hover:underline">
                  {row.aliases[0] ?? <span className="italic text-ink-600">No alias</span>}
                </span>
                <span className="block truncate font-mono text-xs text-ink-500">{row.keyId}</span>
                {row.aliases.length > 1 && <span className="text-xs text-ink-500">+{formatCount(row.aliases.length - 1, "more alias", "more aliases")}</span>}
              </Link>
              {/* Multi-Region sits with the key's name: a flag on a few keys did not earn a column of its own. */}
              {row.multiRegion && <MultiRegionSummary regions={regions} />}
              {brokenGlass.has(row.arn) && <BreakGlassBadge />}
            </td>
            <td className="whitespace-nowrap px-4 py-3">
              <span className="block text-ink-800">{targetName.get(row.targetId) ?? row.targetId}</span>
              <span className="font-mono text-xs text-ink-500">{row.accountId}</span>
            </td>
            <td className="whitespace-nowrap px-4 py-3 font-mono text-xs text-ink-700">
              {row.region}
              {row.multiRegion && <RegionRole row={row} />}
            </td>
            <td className="whitespace-nowrap px-4 py-3">
              <span className="block font-mono text-xs text-ink-800">{row.keySpec ?? "—"}</span>
              <span className="text-xs text-ink-500">{usageLabel(row.keyUsage)}</span>
            </td>
            <td className="whitespace-nowrap px-4 py-3">{row.keyState ? <KeyStateBadge state={row.keyState} /> : "—"}</td>
            <td className="whitespace-nowrap px-4 py-3">
              <ExpiryCell expirationModel={row.expirationModel} validTo={row.validTo} keyState={row.keyState} now={now} warningDays={warningDays} />
            </td>
            <td className="px-4 py-3">
              <OpenRequestCell request={openRequests.get(keyRefId(row))} />
            </td>
          </tr>
          {regions
            .filter((other) => other.region !== row.region)
            .map((other) => (
              <RegionRow
                key={other.region}
                row={other}
                now={now}
                warningDays={warningDays}
                brokenGlass={brokenGlass.has(other.arn)}
                request={<OpenRequestCell request={openRequests.get(keyRefId(other))} />}
              />
            ))}
        </tbody>
      ))}
    </TableCard>
  );
}

function usageLabel(usage: string | null): string {
  switch (usage) {
    case "ENCRYPT_DECRYPT":
      return "Encrypt & decrypt";
    case "SIGN_VERIFY":
      return "Sign & verify";
    case "GENERATE_VERIFY_MAC":
      return "MAC";
    case "KEY_AGREEMENT":
      return "Key agreement";
    default:
      return usage ?? "";
  }
}

function SortLink({ query, sort, label }: { query: KeysQuery; sort: SortKey; label: string }) {
  const active = query.sort === sort;
  const dir = active && query.dir === "asc" ? "desc" : "asc";
  return (
    <Link href={`/keys${keysQueryString({ ...query, sort, dir, page: 1 })}`} className="inline-flex items-center gap-1 rounded hover:text-ink-900">
      {label}
      <span aria-hidden className={active ? "text-accent-600" : "text-ink-300"}>
        {active ? (query.dir === "asc" ? "▲" : "▼") : "↕"}
      </span>
      <span className="sr-only">, sort {dir === "asc" ? "ascending" : "descending"}</span>
    </Link>
  );
}

function OpenRequestCell({ request }: { request: { id: string; kind: "import" | "delete_material" | "rotate"; state: Parameters<typeof labelOf>[0] } | undefined }) {
  if (!request)
    return (
      <span className="text-ink-400">
        <span aria-hidden>—</span>
        <span className="sr-only">None</span>
      </span>
    );
  const tone = toneClasses[requestStateTone(request.state)];
  const kind = request.kind === "delete_material" ? "Deletion" : request.kind === "rotate" ? "Rotation" : "Import";
  // Compact (two short lines, wrapping) so the column adds little width to the table.
  return (
    <Link href={`/imports/${request.id}`} className="group block max-w-[7.5rem] rounded text-xs leading-4">
      <span className="block font-medium text-accent-700 group-hover:underline">{kind}</span>
      <span className={`flex items-start gap-1 ${tone.text}`}>
        <span aria-hidden className={`mt-1 size-1.5 shrink-0 rounded-full ${tone.dot}`} />
        {labelOf(request.state, request.kind)}
      </span>
    </Link>
  );
}
