import { formatDateTime, formatRelative } from "@/components/ui/format";
import { AlertIcon, CheckIcon } from "@/components/ui/icons";
import type { RequestDetails } from "@/lib/imports/read";

/** What happened to the request, in one banner (the next step follows it: NextStep). */
export function StatusBanner({ details, now }: { details: RequestDetails; now: number }) {
  const { request, parameters } = details;
  const base = "flex items-start gap-3 rounded-card border px-4 py-3 text-sm";
  const bad = `${base} border-state-expired-ring bg-state-expired-bg text-state-expired-fg`;
  const good = `${base} border-state-enabled-ring bg-state-enabled-bg text-state-enabled-fg`;
  const info = `${base} border-accent-200 bg-accent-50 text-accent-800`;
  switch (request.state) {
    case "draft":
      return request.lastErrorMessage ? (
        <div role="alert" className={bad}>
          <AlertIcon className="mt-0.5 size-5 shrink-0" />
          <p>
            <span className="font-semibold">AWS KMS did not issue parameters.</span> {request.lastErrorMessage}
          </p>
        </div>
      ) : null;
    case "parameters_issued":
      return null;
    case "awaiting_approval":
      return (
        <div className={info}>
          <p>
            <span className="font-semibold">Waiting for approval.</span>{" "}
            {request.kind === "delete_material"
              ? "When approved, Keyport deletes the key material (DeleteImportedKeyMaterial) as the approver."
              : "When approved, Keyport imports the uploaded material (ImportKeyMaterial) as the approver — if the token is still valid then."}
          </p>
        </div>
      );
    case "importing":
      return (
        <div className={info}>
          <p>
            <span className="font-semibold">{request.kind === "delete_material" ? "Deleting" : "Importing"} now.</span> Reload in a moment to see the result.
          </p>
        </div>
      );
    case "failed":
      return (
        <div role="alert" className={bad}>
          <AlertIcon className="mt-0.5 size-5 shrink-0" />
          <p>
            <span className="font-semibold">AWS KMS refused it ({request.lastErrorCode}).</span> {request.lastErrorMessage}
          </p>
        </div>
      );
    case "expired":
      return (
        <div role="alert" className={bad}>
          <AlertIcon className="mt-0.5 size-5 shrink-0" />
          <p>
            <span className="font-semibold">Expired.</span> The import token expired{parameters ? ` at ${formatDateTime(parameters.parametersValidTo)} (${formatRelative(parameters.parametersValidTo, now).replace(/^now$/, "just now")})` : ""}.
            Keyport no longer hands out the files or accepts uploads for it, and an uploaded blob cannot be imported with another token. Reissue the parameters and wrap
            the material again, or cancel the request.
          </p>
        </div>
      );
    case "imported":
      return (
        <div className={good}>
          <CheckIcon className="mt-0.5 size-5 shrink-0" />
          <p>
            <span className="font-semibold">
              {request.kind === "delete_material" ? "Key material deleted." : request.kind === "rotate" ? "Imported and rotated." : "Key material imported."}
            </span>{" "}
            {request.closedAt ? formatDateTime(request.closedAt) : ""}
          </p>
        </div>
      );
    case "rejected":
      return (
        <div className={bad}>
          <p>
            <span className="font-semibold">Rejected.</span> {details.approvals.find((a) => a.decision === "reject")?.comment ?? ""}
          </p>
        </div>
      );
    case "cancelled":
      return (
        <div className={`${base} border-ink-200 bg-ink-50 text-ink-700`}>
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
    <div className="mt-3 rounded-card border border-accent-200 bg-accent-50 px-4 py-3 text-sm text-accent-800">
      <p>
        <span className="font-semibold">Next step:</span> {text}
      </p>
    </div>
  );
}
