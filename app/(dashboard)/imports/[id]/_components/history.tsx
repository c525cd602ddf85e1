import { formatDateTime } from "@/components/ui/format";
import type { AuditEvent } from "@/lib/audit";
import { auditActionLabel } from "@/lib/audit/labels";

/** The request's audit trail, oldest first, with the facts that matter for each step. */
export function RequestHistory({ events }: { events: AuditEvent[] }) {
  if (events.length === 0) return <p className="text-sm text-ink-600">Nothing has been recorded for this request yet.</p>;
  return (
    <ol className="relative space-y-4 border-l border-ink-200 pl-5" aria-label="History of this request">
      {events.map((e) => (
        <li key={e.seq} className="relative">
          <span aria-hidden className="absolute -left-[25px] top-1.5 size-2.5 rounded-full bg-ink-300 ring-4 ring-white" />
          <p className="text-sm">
            <span className="font-medium text-ink-900">{auditActionLabel(e.action)}</span>
            <span className="text-ink-600"> · {e.actor.kind === "system" ? "Keyport" : (e.actor.name ?? e.actor.subject)}</span>
          </p>
          <p className="text-xs text-ink-500">
            <time dateTime={e.at.toISOString()}>{formatDateTime(e.at)}</time>
            {e.kmsRequestId && <span className="font-mono"> · KMS request {e.kmsRequestId.slice(0, 8)}</span>}
            <span className="font-mono"> · #{e.seq}</span>
          </p>
          <EventFacts event={e} />
        </li>
      ))}
    </ol>
  );
}

function short(value: unknown, length = 16): string {
  return typeof value === "string" && value.length > length ? `${value.slice(0, length)}…` : String(value);
}

function EventFacts({ event }: { event: AuditEvent }) {
  const d = event.details;
  const facts: Array<[string, string]> = [];
  const add = (label: string, value: unknown, transform: (v: unknown) => string = String) => {
    if (value !== undefined && value !== null && value !== "") facts.push([label, transform(value)]);
  };
  switch (event.action) {
    case "import.requested":
      add("Wrapping", d.wrappingAlgorithm ? `${String(d.wrappingAlgorithm)} · ${String(d.wrappingKeySpec)}` : undefined);
      add("Justification", d.justification);
      break;
    case "import.parameters_issued":
      add("Reissue", d.reissue ? "yes" : undefined);
      add("Public key SHA-256", d.publicKeySha256, (v) => short(v));
      add("Valid until", d.parametersValidTo, (v) => formatDateTime(String(v)));
      break;
    case "import.downloaded":
      add("File", d.file);
      break;
    case "import.uploaded":
      add("SHA-256", d.sha256, (v) => short(v));
      add("Size", d.size, (v) => `${Number(v).toLocaleString("en")} bytes`);
      break;
    case "import.approved":
    case "import.rejected":
      add("Comment", d.comment);
      add("Blob SHA-256", d.blobSha256, (v) => short(v));
      add("Confirmed", d.confirmation);
      add("Approvals", d.required !== undefined && event.action === "import.approved" ? `${String(d.approvals)} of ${String(d.required)}` : undefined);
      break;
    case "import.imported":
    case "material.rotated":
    case "material.deleted":
      add("Key material id", d.keyMaterialId, (v) => short(v));
      break;
    case "import.failed":
      add("Operation", d.operation);
      add("Error", d.code);
      break;
    case "import.verified":
      add("Check", d.method, (v) => String(v).replace(/_/g, " "));
      add("Result", d.ok === true ? "passed" : d.ok === false ? `failed (${String(d.code)})` : undefined);
      break;
    case "import.expired":
      add("Token valid until", d.parametersValidTo, (v) => formatDateTime(String(v)));
      break;
    case "import.cancelled":
      add("Reason", d.reason);
      break;
    case "import.retried":
      add("After", d.previousErrorCode);
      break;
  }
  if (facts.length === 0) return null;
  return (
    <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 text-xs">
      {facts.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-ink-500">{label}</dt>
          <dd className="break-words text-ink-800">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
