import Link from "next/link";
import { Timestamp } from "@/components/ui/timestamp";
import { formatCount } from "@/components/ui/format";
import { personLabel } from "@/lib/imports/labels";
import type { DownloadSummary } from "@/lib/imports/pending";

/**
 * Who downloaded a request's import parameters and when, newest first, as the audit trail recorded each
 * download (file by file, or the zip holding all of them). A download of parameters since reissued is marked:
 * the material must be wrapped with the current ones. `auditHref`, for those who may read the trail, lists
 * every download of the request there.
 */
export function DownloadsLine({
  summary,
  currentParameterSetId,
  now,
  auditHref,
}: {
  summary: DownloadSummary | undefined;
  currentParameterSetId: string | null;
  now: number;
  auditHref?: string;
}) {
  const more = summary ? summary.total - summary.latest.length : 0;
  return (
    <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1 text-xs">
      <span className="font-semibold uppercase tracking-wide text-ink-500">Downloaded</span>
      {!summary || summary.latest.length === 0 ? (
        <span className="text-ink-500">Not downloaded yet</span>
      ) : (
        <ul className="flex flex-wrap gap-x-6 gap-y-1" aria-label="Downloads, newest first">
          {summary.latest.map((d, i) => (
            <li key={`${d.at.toISOString()}-${i}`} className="text-ink-700">
              <span className="font-mono text-ink-900">{d.file}</span> by <span className="font-medium text-ink-900">{personLabel(d.name, d.subject)}</span>
              {currentParameterSetId && d.parameterSetId && d.parameterSetId !== currentParameterSetId && (
                <span className="ml-1 rounded bg-ink-100 px-1 py-0.5 text-ink-600">earlier parameters</span>
              )}
              <span className="text-ink-400"> · </span>
              <Timestamp value={d.at} now={now} />
            </li>
          ))}
        </ul>
      )}
      {more > 0 &&
        (auditHref ? (
          <Link href={auditHref} className="font-medium text-accent-700 hover:underline">
            {formatCount(more, "earlier download")} in the audit trail
          </Link>
        ) : (
          <span className="text-ink-500">and {formatCount(more, "earlier download")}</span>
        ))}
    </div>
  );
}
