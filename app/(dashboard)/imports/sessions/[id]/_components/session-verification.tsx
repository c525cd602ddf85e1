import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/components/ui/format";
import type { AuditEvent } from "@/lib/audit";

type Check = { from: string; to: string; ok: boolean; detail?: string };

const METHOD: Record<string, string> = {
  encrypt_decrypt: "Ciphertext from each Region was decrypted in every other Region.",
  mac: "Each Region computed the MAC of the same message; they were compared.",
  public_key: "Each Region's public key was compared.",
};

/** The latest cross-Region proof of a session, as recorded in the audit trail. */
export function SessionVerification({ event }: { event: AuditEvent | null }) {
  if (!event) return <p className="text-sm text-ink-600">Once every Region holds the material, the approver&rsquo;s decision proves that the Regions hold the same material.</p>;
  const details = event.details as { ok?: boolean; method?: string; checks?: Check[] };
  return (
    <div className="space-y-3 text-sm">
      <p className="flex flex-wrap items-center gap-2">
        <Badge tone={details.ok ? "enabled" : "expired"}>{details.ok ? "Same material in every Region" : "The Regions differ"}</Badge>
        <span className="text-ink-600">
          {METHOD[details.method ?? ""] ?? ""} {formatDateTime(new Date(event.at))}, by {event.actor.name ?? event.actor.subject}.
        </span>
      </p>
      <ul className="space-y-1">
        {(details.checks ?? []).map((c) => (
          <li key={`${c.from}>${c.to}`} className={c.ok ? "text-ink-700" : "text-alert-danger-fg"}>
            <span aria-hidden>{c.ok ? "✓ " : "✗ "}</span>
            <span className="font-mono text-xs">
              {c.from} → {c.to}
            </span>
            {c.ok ? <span className="sr-only"> matches</span> : <span>: {c.detail ?? "does not match"}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
