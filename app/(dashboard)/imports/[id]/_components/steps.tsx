import { DecisionPanel, type DecideAction } from "@/components/imports/decision-panel";
import { CommandBlock } from "@/components/ui/command-block";
import { formatRelative } from "@/components/ui/format";
import { awsCliCommands, custodianCommands, hsmCommand, type CommandInput } from "@/lib/imports/commands";
import { describeBlobSize, type BlobSize } from "@/lib/imports/compat";
import { personLabel } from "@/lib/imports/labels";
import { decisionPanelState, type RequestPermissions } from "@/lib/imports/permissions";
import type { RequestDetails } from "@/lib/imports/read";
import { approvalConfirmation } from "@/lib/imports/schemas";
import { Card, Field } from "./card";
import { RetryButton, type RetryAction } from "./request-actions";
import { UploadForm } from "./upload-form";

/** The openssl commands for this request's wrapping, the HSM path beside them, and what Keyport runs in AWS. */
export function CommandsCard({ input, uploadedSha256 }: { input: CommandInput; uploadedSha256: string | null }) {
  const hsm = hsmCommand(input, uploadedSha256);
  return (
    <Card id="commands" title="Wrap the key material (on your workstation)">
      <p className="text-sm text-ink-600">
        For {input.keySpec} with {input.wrappingAlgorithm} and an {input.wrappingKeySpec} wrapping key. Plaintext key material never reaches Keyport: only the wrapped
        result is uploaded.
      </p>
      <div className="mt-4 space-y-5">
        {custodianCommands(input).map((step, i) => (
          <CommandBlock key={step.id} step={i + 1} title={step.title} note={step.note} command={step.command} />
        ))}
      </div>
      <div className="mt-6 border-t border-ink-100 pt-5">
        {hsm.command ? (
          <CommandBlock title={hsm.title} note={hsm.note} command={hsm.command} />
        ) : (
          <p className="text-sm text-ink-600">
            <span className="font-medium text-ink-900">{hsm.title}: </span>
            {hsm.note}
          </p>
        )}
      </div>
      <details className="mt-5 rounded-md bg-ink-50 p-3">
        <summary className="cursor-pointer text-sm font-medium text-ink-800">What Keyport does in AWS (AWS CLI equivalents)</summary>
        <div className="mt-3 space-y-5">
          {awsCliCommands(input).map((step) => (
            <CommandBlock key={step.id} title={step.title} note={step.note} command={step.command} />
          ))}
        </div>
      </details>
    </Card>
  );
}

/** The current upload (its SHA-256 is what approvers compare) and, when this person may, the upload form. */
export function UploadCard({ details, expected, uploadable, now }: { details: RequestDetails; expected: BlobSize | null; uploadable: boolean; now: number }) {
  const { request, blob } = details;
  return (
    <Card id="upload" title="Wrapped key material">
      {blob && (
        <dl className="mb-4 grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
          <Field label="SHA-256" mono wide>
            {blob.sha256}
          </Field>
          <Field label="Size">{blob.size.toLocaleString("en")} bytes</Field>
          <Field label="Uploaded">
            by {personLabel(blob.uploadedByName, blob.uploadedBySubject)} {formatRelative(blob.uploadedAt, now)}
          </Field>
        </dl>
      )}
      {uploadable && expected && <UploadForm requestId={request.id} expected={expected} expectedLabel={describeBlobSize(expected)} replacing={!!blob} />}
    </Card>
  );
}

export function DecisionCard({
  details,
  permissions,
  canApprove,
  required,
  decide,
}: {
  details: RequestDetails;
  permissions: RequestPermissions;
  canApprove: boolean;
  required: number;
  decide: DecideAction;
}) {
  const { request, blob } = details;
  const { refusal, decided } = decisionPanelState(permissions.approve);
  return (
    <Card id="decision" title={`Approval (${permissions.currentApprovals} of ${required})`}>
      {canApprove ? (
        <DecisionPanel
          decide={decide}
          requestId={request.id}
          blobSha256={blob?.sha256 ?? null}
          confirmation={approvalConfirmation(request.kind)}
          approvals={permissions.currentApprovals}
          required={required}
          refusal={refusal}
          decided={decided}
          verb={request.kind === "delete_material" ? "deletion" : "import"}
        />
      ) : (
        <p className="text-sm text-ink-600">An approver who neither requested nor uploaded it decides. {required > 1 ? `${required} approvals are needed.` : ""}</p>
      )}
    </Card>
  );
}

/** A failed request: the retry, when this person may run it, or why they may not. */
export function RecoverCard({ details, permissions, canApprove, retry }: { details: RequestDetails; permissions: RequestPermissions; canApprove: boolean; retry: RetryAction }) {
  const verdict = permissions.retry;
  const why = !verdict.allowed && canApprove ? verdict.error.message : null;
  if (!verdict.allowed && !why) return null;
  return (
    <Card id="recover" title="Recover">
      {verdict.allowed ? (
        <div className="space-y-2">
          <p className="text-sm text-ink-700">
            {permissions.rotationOnly
              ? "The new key material is in KMS, waiting for the rotation: a retry only rotates the key to it."
              : `A retry runs ${details.request.kind === "delete_material" ? "the deletion" : "the import of the same upload"} again, as you, with the approvals it has.`}
          </p>
          <RetryButton requestId={details.request.id} retry={retry} />
        </div>
      ) : (
        <p className="text-sm text-ink-700">{why}</p>
      )}
    </Card>
  );
}
