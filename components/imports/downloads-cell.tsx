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
export function DownloadsCell({
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
  if (!summary || summary.latest.length === 0) return <span className="text-xs text-ink-500">Not downloaded yet</span>;
  const more = summary.total - summary.latest.length;
  return (
    <div className="space-y-1.5">
      <ul className="space-y-1.5" aria-label="Downloads, newest first">
        {summary.latest.map((d, i) => (
          <li key={`${d.at.toISOString()}-${i}`} className="text-xs leading-snug">
            <span className="font-mono text-ink-800">{d.file}</span>
            {currentParameterSetId && d.parameterSetId && d.parameterSetId !== currentParameterSetId && (
              <span className="ml-1 rounded bg-ink-100 px-1 py-0.5 text-[0.7rem] text-ink-600">earlier parameters</span>
            )}
            <span className="block text-ink-800">{personLabel(d.name, d.subject)}</span>
            <Timestamp value={d.at} now={now} className="block text-ink-600" />
          </li>
        ))}
      </ul>
      {more > 0 &&
        (auditHref ? (
          <Link href={auditHref} className="text-xs font-medium text-accent-700 hover:underline">
            {formatCount(more, "earlier download")} in the audit trail
          </Link>
        ) : (
          <span className="text-xs text-ink-500">and {formatCount(more, "earlier download")}</span>
        ))}
    </div>
  );
}
