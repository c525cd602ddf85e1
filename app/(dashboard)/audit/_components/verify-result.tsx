import { formatCount } from "@/components/ui/format";
import { Alert } from "@/components/ui/alert";
import { auditBreakReasonText } from "@/lib/audit/labels";
import type { VerificationDto } from "../actions";

/** Breaks listed on the page; the rest are counted (an export and `audit:verify` list them all). */
const SHOWN = 20;

function checkpointsSentence(result: VerificationDto): string {
  if (result.checkpoints === 0) return "No signed checkpoint holds it yet.";
  const signatures = result.signaturesChecked ? "signatures checked" : "signatures not checked: no checkpoint signing key is configured";
  const covered = result.lastCheckpointSeq === null ? "" : `, the last one covering events up to #${result.lastCheckpointSeq}`;
  return `${formatCount(result.checkpoints, "signed checkpoint")} held (${signatures})${covered}.`;
}

/** What a walk of the chain found, in words: every broken event by seq, up to a limit. */
export function VerifyResult({ result }: { result: VerificationDto }) {
  if (result.ok) {
    return (
      <Alert tone="success" className="mt-3">
        The chain is intact: {formatCount(result.count, "event")}, each hash recomputed and linked to the one before. Last event #{result.lastSeq}.{" "}
        {checkpointsSentence(result)}
      </Alert>
    );
  }
  const shown = result.breaks.slice(0, SHOWN);
  const more = result.breakCount - shown.length;
  return (
    <Alert tone="danger" className="mt-3">
      <p>
        The chain is broken: {formatCount(result.breakCount, "problem")} in {formatCount(result.count, "event")} read. Preserve the database
        and an export for investigation. {checkpointsSentence(result)}
      </p>
      <ul className="mt-2 list-disc space-y-1 pl-5">
        {shown.map((b, i) => (
          <li key={`${b.seq}-${b.reason}-${i}`}>
            Event #{b.seq}
            {b.id && (
              <>
                {" "}
                (<code className="font-mono text-xs">{b.id}</code>)
              </>
            )}
            : {auditBreakReasonText(b.reason)}.
          </li>
        ))}
      </ul>
      {more > 0 && <p className="mt-2">…and {formatCount(more, "more problem")}.</p>}
    </Alert>
  );
}
