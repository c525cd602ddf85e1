import Link from "next/link";
import { formatDateTime } from "@/components/ui/format";
import { expirationLabel, kindLabel, personLabel, wrappingLabel } from "@/lib/imports/labels";
import type { RequestDetails } from "@/lib/imports/read";
import { Card, Field } from "./card";
import { CancelRequestButton } from "./request-actions";
import { alertClasses } from "@/components/ui/alert";

/** The request's facts (and cancelling it, when this person may). */
export function RequestFactsCard({ details, keyLabel, cancellable }: { details: RequestDetails; keyLabel: string; cancellable: boolean }) {
  const { request } = details;
  const keyHref = `/keys/${encodeURIComponent(request.targetId)}/${encodeURIComponent(request.region)}/${encodeURIComponent(request.keyId)}`;
  return (
    <Card id="facts" title="Request">
      <dl className="grid grid-cols-1 gap-y-3 text-sm">
        <Field label="Key">
          <Link href={keyHref} className="font-medium text-accent-700 hover:underline">
            {keyLabel}
          </Link>
          <span className="mt-0.5 block break-all font-mono text-xs text-ink-500">{request.keyArn}</span>
        </Field>
        <Field label="Kind">{kindLabel(request.kind)}</Field>
        {request.kind !== "delete_material" && <Field label="Wrapping" mono>{wrappingLabel(request.wrappingAlgorithm, request.wrappingKeySpec)}</Field>}
        {request.importType && <Field label="Import type" mono>{request.importType}</Field>}
        {request.kind !== "delete_material" && <Field label="Key material">{expirationLabel(request.expirationModel, request.validTo)}</Field>}
        <Field label="Justification">{request.justification}</Field>
        <Field label="Requested">
          {personLabel(request.requestedByName, request.requestedBySubject)}, {formatDateTime(request.createdAt)}
        </Field>
        {request.keyMaterialId && <Field label="Key material id" mono>{request.keyMaterialId}</Field>}
        {request.kmsRequestId && <Field label="KMS request id" mono>{request.kmsRequestId}</Field>}
        <Field label="Request id" mono>{request.id}</Field>
      </dl>
      {cancellable && (
        <div className="mt-5 border-t border-ink-100 pt-4">
          <CancelRequestButton requestId={request.id} />
        </div>
      )}
    </Card>
  );
}

/** Every decision, marking those of an earlier upload (they no longer count). */
export function DecisionsCard({ details }: { details: RequestDetails }) {
  const { approvals, blob } = details;
  return (
    <Card id="approvals" title="Decisions">
      {approvals.length === 0 ? (
        <p className="text-sm text-ink-600">No decisions yet.</p>
      ) : (
        <ul className="space-y-3 text-sm">
          {approvals.map((a) => (
            <li key={a.id}>
              <p>
                <span className="font-medium text-ink-900">{personLabel(a.approverName, a.approverSubject)}</span>{" "}
                <span className={alertClasses[a.decision === "approve" ? "success" : "danger"].text}>{a.decision === "approve" ? "approved" : "rejected"}</span>
                {blob && a.wrappedBlobId !== blob.id && <span className="text-ink-500"> (an earlier upload)</span>}
              </p>
              {a.comment && <p className="text-ink-700">&ldquo;{a.comment}&rdquo;</p>}
              <p className="text-xs text-ink-500">{formatDateTime(a.createdAt)}</p>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
