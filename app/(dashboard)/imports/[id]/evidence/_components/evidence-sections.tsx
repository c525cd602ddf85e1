import { formatDateTime } from "@/components/ui/format";
import type { EvidenceRecord, EvidenceStep } from "@/lib/audit/evidence-format";
import { auditActionLabel } from "@/lib/audit/labels";

/** The parts of an evidence record, laid out for the screen and for paper. Server components: no script. */

const FIELD = "grid grid-cols-[11rem_1fr] gap-x-4 gap-y-1 text-sm";

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-ink-600">{label}</dt>
      <dd className="min-w-0 break-words text-ink-900">{children ?? "—"}</dd>
    </>
  );
}

const mono = (value: string | null | undefined) => (value ? <code className="break-all font-mono text-xs">{value}</code> : "—");
const when = (value: string | null | undefined) => (value ? formatDateTime(new Date(value)) : "—");

export function EvidenceSummary({ record }: { record: EvidenceRecord }) {
  const { request, checkpoints, range } = record;
  return (
    <section aria-labelledby="evidence-request" className="rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200 print:shadow-none print:ring-0">
      <h2 id="evidence-request" className="mb-3 text-sm font-semibold text-ink-900">
        The request
      </h2>
      <dl className={FIELD}>
        <Field label="Kind and state">
          {request.kind} · {request.state}
        </Field>
        <Field label="Key">{mono(request.keyArn)}</Field>
        <Field label="Key spec">{request.keySpec}</Field>
        <Field label="Wrapping">{request.wrappingAlgorithm ? `${request.wrappingAlgorithm} with ${request.wrappingKeySpec}` : "—"}</Field>
        <Field label="Import type">{request.importType ?? "—"}</Field>
        <Field label="Expiration">{request.expirationModel ? `${request.expirationModel}${request.validTo ? `, valid to ${when(request.validTo)}` : ""}` : "—"}</Field>
        <Field label="Justification">{request.justification}</Field>
        <Field label="Requested by">
          {request.requestedBy.name ?? request.requestedBy.subject}
          {request.requestedBy.email ? ` <${request.requestedBy.email}>` : ""} on {when(request.createdAt)}
        </Field>
        <Field label="Closed">{when(request.closedAt)}</Field>
        <Field label="KeyMaterialId">{mono(request.keyMaterialId)}</Field>
        <Field label="Audit events">
          #{range.first} to #{range.last}
        </Field>
        <Field label="Checkpoint before">
          {checkpoints.before ? `#${checkpoints.before.seq}, head #${checkpoints.before.checkpoint.statement.seq} signed ${when(checkpoints.before.checkpoint.statement.at)}` : "none"}
        </Field>
        <Field label="Checkpoint after">
          {checkpoints.after ? `#${checkpoints.after.seq}, head #${checkpoints.after.checkpoint.statement.seq} signed ${when(checkpoints.after.checkpoint.statement.at)}` : "none yet"}
        </Field>
      </dl>
    </section>
  );
}

/** The facts of a step worth reading on paper; everything else stays in the JSON. */
const SHOWN = [
  "publicKeySha256",
  "importTokenSha256",
  "parametersValidTo",
  "sha256",
  "blobSha256",
  "file",
  "confirmation",
  "comment",
  "approvals",
  "required",
  "keyMaterialId",
  "code",
  "reason",
  "method",
  "ok",
] as const;

function StepFacts({ step }: { step: EvidenceStep }) {
  const facts: Array<[string, string]> = SHOWN.flatMap((name): Array<[string, string]> => {
    const value = step.details[name];
    return value === undefined || value === null || value === "" ? [] : [[name, typeof value === "string" ? value : JSON.stringify(value)]];
  });
  if (step.sessionName) facts.push(["session", step.sessionName]);
  if (step.kmsRequestId) facts.push(["KMS request", step.kmsRequestId]);
  if (!facts.length) return null;
  return (
    <dl className="mt-1 grid grid-cols-[9rem_1fr] gap-x-3 text-xs">
      {facts.map(([name, value]) => (
        <div key={name} className="contents">
          <dt className="text-ink-500">{name}</dt>
          <dd className="break-all font-mono text-ink-800">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function EvidenceSteps({ record }: { record: EvidenceRecord }) {
  return (
    <section aria-labelledby="evidence-steps" className="rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200 print:shadow-none print:ring-0">
      <h2 id="evidence-steps" className="mb-3 text-sm font-semibold text-ink-900">
        What happened, from the audit trail
      </h2>
      <ol className="space-y-3">
        {record.steps.map((step) => (
          <li key={step.seq} className="break-inside-avoid border-l-2 border-ink-200 pl-3">
            <p className="text-sm text-ink-900">
              <span className="font-medium">{auditActionLabel(step.action)}</span> · {when(step.at)} ·{" "}
              {step.actor.kind === "system" ? "Keyport" : `${step.actor.name ?? step.actor.subject} (${step.actor.roles.join(", ") || "no role"})`}
              <span className="ml-2 text-xs text-ink-500">#{step.seq}</span>
            </p>
            <StepFacts step={step} />
          </li>
        ))}
      </ol>
    </section>
  );
}
