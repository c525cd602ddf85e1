import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Timestamp } from "@/components/ui/timestamp";
import type { FindingDto } from "@/lib/drift/dto";
import { AcknowledgeForm, type AcknowledgeAction } from "./acknowledge-form";

/**
 * Changes made in KMS outside Keyport, open ones first: what KMS shows, what to find out, and for an
 * acknowledged one who accepted it and why. `acknowledge` is given to those who may acknowledge.
 */
export function FindingsList({ findings, now, showKey, acknowledge, label }: { findings: FindingDto[]; now: number; showKey: boolean; acknowledge?: AcknowledgeAction; label: string }) {
  return (
    <ul aria-label={label} className="space-y-3">
      {findings.map((finding) => (
        <li
          key={finding.id}
          aria-label={`${finding.kindLabel}${finding.acknowledged ? " (acknowledged)" : ""}`}
          data-acknowledged={finding.acknowledged ? "true" : "false"}
          className={`rounded-card bg-white p-4 shadow-card ring-1 ${finding.acknowledged ? "ring-ink-200" : "border-l-4 border-alert-danger-fg ring-alert-danger-ring"}`}
        >
          <div className="flex flex-wrap items-start justify-between gap-2">
            <div className="min-w-0 space-y-1">
              <p className="flex flex-wrap items-center gap-2 text-sm font-semibold text-ink-900">
                {finding.kindLabel}
                {finding.acknowledged ? <Badge tone="neutral">Acknowledged</Badge> : <Badge tone="expired">Open</Badge>}
              </p>
              {showKey && (
                <p className="text-sm text-ink-700">
                  <Link href={finding.keyHref} className="font-medium text-accent-700 hover:underline">
                    {finding.keyLabel}
                  </Link>{" "}
                  · {finding.account} · <span className="font-mono text-xs">{finding.region}</span>
                </p>
              )}
              {finding.keyMaterialId && <p className="break-all font-mono text-xs text-ink-600">Key material {finding.keyMaterialId}</p>}
              <p className="text-sm text-ink-700">{finding.detail}</p>
              {!finding.acknowledged && <p className="text-sm text-ink-600">{finding.advice}</p>}
            </div>
            <Timestamp value={finding.foundAt} now={now} prefix="Found" stacked className="text-right text-xs text-ink-600" />
          </div>
          {finding.acknowledged ? (
            <div className="mt-3 rounded-md bg-ink-50 px-3 py-2 text-sm text-ink-700">
              <p>
                Acknowledged by <span className="font-medium text-ink-900">{finding.acknowledged.by}</span>{" "}
                <Timestamp value={finding.acknowledged.at} now={now} className="inline text-xs text-ink-600" />
              </p>
              <p className="mt-1 whitespace-pre-line">{finding.acknowledged.comment}</p>
            </div>
          ) : (
            acknowledge && <AcknowledgeForm findingId={finding.id} acknowledge={acknowledge} />
          )}
        </li>
      ))}
    </ul>
  );
}
