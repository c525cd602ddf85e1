import { formatDateTime, formatRelative } from "@/components/ui/format";
import { Alert } from "@/components/ui/alert";
import type { RequestDetails } from "@/lib/imports/read";

/** What happened to the request, in one banner (the next step follows it: NextStep). */
export function StatusBanner({ details, now }: { details: RequestDetails; now: number }) {
  const { request, parameters } = details;
  switch (request.state) {
    case "draft":
      return request.lastErrorMessage ? (
        <Alert tone="danger" title="AWS KMS did not issue parameters.">
          {request.lastErrorMessage}
        </Alert>
      ) : null;
    case "parameters_issued":
      return null;
    case "awaiting_approval":
      return (
        <Alert tone="info" title="Waiting for approval.">
          {request.kind === "delete_material"
            ? "When approved, Keyport deletes the key material (DeleteImportedKeyMaterial) as the approver."
            : "When approved, Keyport imports the uploaded material (ImportKeyMaterial) as the approver — if the token is still valid then."}
        </Alert>
      );
    case "importing":
      return (
        <Alert tone="info" title={`${request.kind === "delete_material" ? "Deleting" : "Importing"} now.`}>
          Reload in a moment to see the result.
        </Alert>
      );
    case "failed":
      return (
        <Alert tone="danger" title={`It did not complete (${request.lastErrorCode}).`}>
          {request.lastErrorMessage}
        </Alert>
      );
    case "expired":
      return (
        <Alert tone="danger" title="Expired.">
          The import token expired{parameters ? ` at ${formatDateTime(parameters.parametersValidTo)} (${formatRelative(parameters.parametersValidTo, now).replace(/^now$/, "just now")})` : ""}.
          Keyport no longer hands out the files or accepts uploads for it, and an uploaded blob cannot be imported with another token. Reissue the parameters and wrap
          the material again, or cancel the request.
        </Alert>
      );
    case "imported":
      return (
        <Alert
          tone="success"
          title={request.kind === "delete_material" ? "Key material deleted." : request.kind === "rotate" ? "Imported and rotated." : "Key material imported."}
        >
          {request.closedAt ? formatDateTime(request.closedAt) : ""}
        </Alert>
      );
    case "rejected":
      return (
        <Alert tone="danger" title="Rejected." icon={false}>
          {details.approvals.find((a) => a.decision === "reject")?.comment ?? ""}
        </Alert>
      );
    case "cancelled":
      return (
        <div className="flex items-start gap-3 rounded-card border border-ink-200 bg-ink-50 px-4 py-3 text-sm text-ink-700">
          <p>
            <span className="font-semibold">Cancelled.</span> Nothing was imported.
          </p>
        </div>
      );
  }
}

/**
 * The one sentence that says which step is next and who takes it (lib/imports/permissions.ts `nextStep`,
 * from the same answers that decide which buttons and forms the page shows).
 */
export function NextStep({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <Alert tone="info" title="Next step:" icon={false} role="note" className="mt-3">
      {text}
    </Alert>
  );
}
