import Link from "next/link";
import { Badge, KeyStateBadge } from "@/components/ui/badge";
import { formatCount, formatDate } from "@/components/ui/format";
import { TableCard } from "@/components/ui/table-card";
import type { KeyAgeReportRow } from "@/lib/imports/key-age-report";
import { AGE_BUCKET_LABELS, rotationsText, type KeyAge } from "@/lib/inventory/key-age";
import { keyHref } from "@/lib/inventory/key-href";

const COLUMNS = ["Key", "Account", "Region", "Material age", "Last import (Keyport)", "Next ValidTo", "Rotations left"];

/**
 * One row per EXTERNAL key and Region, oldest material first. A material KMS does not date (a key's first
 * material) is shown as at most the key's age, with the reason in words.
 */
export function AgeTable({ rows, targets }: { rows: KeyAgeReportRow[]; targets: Map<string, string> }) {
  return (
    <TableCard
      caption="Age of each external key's current key material, oldest first"
      head={COLUMNS.map((label) => (
        <th key={label} scope="col" className="whitespace-nowrap px-4 py-3">
          {label}
        </th>
      ))}
    >
      <tbody className="divide-y divide-ink-100">
        {rows.map(({ key, age, lastImport }) => (
          <tr key={`${key.targetId}/${key.region}/${key.keyId}`} className="hover:bg-ink-50/60">
            <td className="max-w-xs px-4 py-3">
              <Link href={keyHref(key)} className="block truncate font-medium text-accent-700 hover:underline">
                {key.aliases[0] ?? <span className="italic text-ink-600">No alias</span>}
              </Link>
              <span className="block truncate font-mono text-xs text-ink-500">{key.keyId}</span>
              <span className="mt-1 flex flex-wrap items-center gap-1">
                {key.keyState && <KeyStateBadge state={key.keyState} />}
                <span className="font-mono text-xs text-ink-500">{key.keySpec ?? "—"}</span>
              </span>
            </td>
            <td className="whitespace-nowrap px-4 py-3">
              <span className="block text-ink-800">{targets.get(key.targetId) ?? key.targetId}</span>
              <span className="font-mono text-xs text-ink-500">{key.accountId}</span>
            </td>
            <td className="whitespace-nowrap px-4 py-3 font-mono text-xs text-ink-700">{key.region}</td>
            <td className="whitespace-nowrap px-4 py-3">
              <AgeCell age={age} />
            </td>
            <td className="whitespace-nowrap px-4 py-3 text-ink-800">
              {lastImport ? (
                <>
                  <span className="block">{formatDate(lastImport.at)}</span>
                  {lastImport.by && <span className="text-xs text-ink-500">asked by {lastImport.by}</span>}
                </>
              ) : (
                <span className="text-ink-500">None by Keyport</span>
              )}
            </td>
            <td className="whitespace-nowrap px-4 py-3 text-ink-800">{age.nextValidTo ? formatDate(age.nextValidTo) : <span className="text-ink-500">Does not expire</span>}</td>
            <td className="whitespace-nowrap px-4 py-3">
              {age.rotations.kind === "left" && age.rotations.left <= 2 ? <Badge tone="expiring">{rotationsText(age.rotations)}</Badge> : <span className="text-ink-800">{rotationsText(age.rotations)}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </TableCard>
  );
}

function AgeCell({ age }: { age: KeyAge }) {
  if (age.ageDays === null) return <span className="text-ink-500">{AGE_BUCKET_LABELS["no-material"]}</span>;
  const days = formatCount(age.ageDays, "day");
  return (
    <>
      <span className="block text-ink-900">{age.sinceSource === "key_created" ? `at most ${days}` : days}</span>
      <span className="text-xs text-ink-500">
        {age.sinceSource === "key_created" ? `key created ${formatDate(age.since!)}; KMS dates no first material` : `current since ${formatDate(age.since!)}`}
      </span>
    </>
  );
}
