import Link from "next/link";
import type { ReactNode } from "react";
import type { TargetNames } from "@/components/imports/requests-table";
import { KeyStateBadge } from "@/components/ui/badge";
import { TableCard } from "@/components/ui/table-card";
import type { KeyRow } from "@/lib/inventory";
import { keyHref } from "@/lib/inventory/key-href";

/** Keys of the inventory as a table; `detail` fills the last column (the next step, or when material expires). */
export function KeyList({
  rows,
  targets,
  caption,
  detail,
  detailLabel = "Next step",
}: {
  rows: KeyRow[];
  targets: TargetNames;
  caption: string;
  detail: (key: KeyRow) => ReactNode;
  detailLabel?: string;
}) {
  return (
    <TableCard
      caption={caption}
      head={
        <>
          <th scope="col" className="px-4 py-3">Key</th>
          <th scope="col" className="px-4 py-3">Account · Region</th>
          <th scope="col" className="px-4 py-3">Key spec</th>
          <th scope="col" className="px-4 py-3">State</th>
          <th scope="col" className="px-4 py-3">
            <span className="sr-only">{detailLabel}</span>
          </th>
        </>
      }
    >
      <tbody className="divide-y divide-ink-100">
        {rows.map((key) => (
          <tr key={`${key.targetId}/${key.region}/${key.keyId}`}>
            <td className="max-w-xs px-4 py-3">
              <Link href={keyHref(key)} className="block truncate font-medium text-accent-700 hover:underline">
                {key.aliases[0] ?? key.keyId}
              </Link>
              <span className="block truncate font-mono text-xs text-ink-500">{key.keyId}</span>
            </td>
            <td className="whitespace-nowrap px-4 py-3">
              <span className="block text-ink-800">{targets.get(key.targetId)?.name ?? key.targetId}</span>
              <span className="font-mono text-xs text-ink-500">
                {key.accountId} · {key.region}
              </span>
            </td>
            <td className="whitespace-nowrap px-4 py-3 font-mono text-xs text-ink-800">{key.keySpec ?? "—"}</td>
            <td className="whitespace-nowrap px-4 py-3">{key.keyState ? <KeyStateBadge state={key.keyState} /> : "—"}</td>
            <td className="whitespace-nowrap px-4 py-3 text-right">{detail(key)}</td>
          </tr>
        ))}
      </tbody>
    </TableCard>
  );
}
