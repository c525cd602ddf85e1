import Link from "next/link";
import { Fragment } from "react";
import { TableCard } from "@/components/ui/table-card";
import { RequestStateBadge } from "@/components/ui/badge";
import { Countdown } from "@/components/ui/countdown";
import { AbsoluteTime, Timestamp } from "@/components/ui/timestamp";
import { toneClasses } from "@/components/ui/tone";
import { kindLabel, labelOf, personLabel, showsCountdown, wrappingLabel } from "@/lib/imports/labels";
import type { DownloadSummary } from "@/lib/imports/pending";
import type { RequestListRow } from "@/lib/imports/queries";
import { DownloadsLine } from "./downloads-cell";

export type TargetNames = Map<string, { name: string; accountId: string }>;

/**
 * Import requests as a table (server-rendered; the countdowns are the only client leaves, and they need a
 * CountdownProvider above them). `caption` names the table for screen readers and tests. Times show the
 * absolute UTC moment beside the relative one. With `downloads`, a line under each request says who downloaded
 * its parameters and when (a line, not a column: the table stays readable without scrolling sideways);
 * `auditHref` links each request to the rest of its downloads in the audit trail.
 */
export function RequestsTable({
  rows,
  targets,
  caption,
  now,
  showKey = true,
  downloads,
  auditHref,
}: {
  rows: RequestListRow[];
  targets: TargetNames;
  caption: string;
  now: number;
  showKey?: boolean;
  downloads?: ReadonlyMap<string, DownloadSummary>;
  auditHref?: (requestId: string) => string;
}) {
  return (
    <TableCard
      caption={caption}
      head={
        <>
          <th scope="col" className="px-4 py-3">Request</th>
          {showKey && <th scope="col" className="px-4 py-3">Account · Region</th>}
          <th scope="col" className="px-4 py-3">Wrapping</th>
          <th scope="col" className="px-4 py-3">State</th>
          <th scope="col" className="px-4 py-3">Import token</th>
          <th scope="col" className="px-4 py-3">Requested</th>
        </>
      }
    >
      <tbody className="divide-y divide-ink-100 align-top">
        {rows.map((row) => {
          const target = targets.get(row.targetId);
          return (
            <Fragment key={row.id}>
              <tr className={downloads ? "border-b-0" : "hover:bg-ink-50/60"}>
                <td className="max-w-xs px-4 py-3">
                  <Link href={`/imports/${row.id}`} className="group block rounded focus-visible:outline-offset-4">
                    <span className="block truncate font-medium text-accent-700 group-hover:underline">{showKey ? (row.alias ?? row.keyId) : kindLabel(row.kind)}</span>
                    <span className="block truncate text-xs text-ink-500">
                      {showKey ? `${kindLabel(row.kind)} · ` : ""}
                      <span className="font-mono">{row.keySpec}</span>
                    </span>
                  </Link>
                </td>
                {showKey && (
                  <td className="whitespace-nowrap px-4 py-3">
                    <span className="block text-ink-800">{target?.name ?? row.targetId}</span>
                    <span className="font-mono text-xs text-ink-500">
                      {target?.accountId ?? ""} · {row.region}
                    </span>
                  </td>
                )}
                <td className="whitespace-nowrap px-4 py-3 font-mono text-xs text-ink-700">
                  {row.wrappingAlgorithm ? (
                    <>
                      <span className="block">{row.wrappingAlgorithm}</span>
                      <span className="block text-ink-500">{row.wrappingKeySpec}</span>
                    </>
                  ) : (
                    wrappingLabel(null, null)
                  )}
                </td>
                <td className="whitespace-nowrap px-4 py-3">
                  <RequestStateBadge state={row.state} label={labelOf(row.state, row.kind)} />
                  {row.lastErrorCode && (row.state === "failed" || row.state === "draft") && (
                    <span className="mt-1 block max-w-56 truncate text-xs text-alert-danger-fg" title={row.lastErrorMessage ?? undefined}>
                      {row.lastErrorMessage}
                    </span>
                  )}
                </td>
                <td className="whitespace-nowrap px-4 py-3">
                  {row.parametersValidTo && showsCountdown(row.state) ? (
                    <>
                      <Countdown validTo={row.parametersValidTo.toISOString()} size="sm" />
                      <AbsoluteTime value={row.parametersValidTo} prefix="until" className="mt-1 block text-xs text-ink-600" />
                    </>
                  ) : row.parametersValidTo && row.state === "expired" ? (
                    <Timestamp value={row.parametersValidTo} now={now} prefix="Expired" className={`text-xs ${toneClasses.expired.text}`} />
                  ) : (
                    <span className="text-ink-400">
                      <span aria-hidden>—</span>
                      <span className="sr-only">None</span>
                    </span>
                  )}
                </td>
                <td className="whitespace-nowrap px-4 py-3 text-xs text-ink-700">
                  <span className="block text-sm text-ink-800">{personLabel(row.requestedByName, row.requestedBySubject)}</span>
                  <Timestamp value={row.createdAt} now={now} stacked />
                </td>
              </tr>
              {downloads && (
                <tr>
                  <td colSpan={showKey ? 6 : 5} className="px-4 pb-3 pt-0">
                    <DownloadsLine summary={downloads.get(row.id)} currentParameterSetId={row.parameterSetId} now={now} auditHref={auditHref?.(row.id)} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </TableCard>
  );
}
