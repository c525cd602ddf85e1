import Link from "next/link";
import { RequestStateBadge } from "@/components/ui/badge";
import { Countdown } from "@/components/ui/countdown";
import { formatRelative } from "@/components/ui/format";
import { describeBlobSize, expectedBlobSize, isKeySpec, type WrappingAlgorithm, type WrappingKeySpec } from "@/lib/imports/compat";
import { labelOf, personLabel, showsCountdown } from "@/lib/imports/labels";
import type { RequestPermissions } from "@/lib/imports/permissions";
import type { RequestDetails } from "@/lib/imports/read";
import { UploadForm } from "../../../[id]/_components/upload-form";

/**
 * One Region of a session: its state and token countdown, its own download, the blob uploaded for it (its
 * SHA-256 is what the approver compares) and the upload, and a link to the Region's own request page.
 */
export function RegionCard({ details, permissions, role, now }: { details: RequestDetails; permissions: RequestPermissions; role: string | null; now: number }) {
  const { request, parameters, blob } = details;
  const state = permissions.effectiveState;
  const tokenInPlay = !!parameters && showsCountdown(state);
  const expected =
    isKeySpec(request.keySpec) && request.wrappingAlgorithm && request.wrappingKeySpec
      ? expectedBlobSize(request.keySpec, request.region, request.wrappingAlgorithm as WrappingAlgorithm, request.wrappingKeySpec as WrappingKeySpec)
      : null;
  return (
    <section aria-labelledby={`region-${request.region}`} className="rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h3 id={`region-${request.region}`} className="font-mono text-sm font-semibold text-ink-900">
            {request.region}
            {role && <span className="ml-2 font-sans text-xs font-normal text-ink-600">{role}</span>}
          </h3>
          <p className="mt-0.5 text-xs text-ink-600">
            {request.importType === "EXISTING_KEY_MATERIAL" ? "The same material again" : request.importType === "NEW_KEY_MATERIAL" ? "First material" : "Material"} ·{" "}
            {request.wrappingAlgorithm} / {request.wrappingKeySpec}
          </p>
        </div>
        <RequestStateBadge state={state} label={labelOf(state, request.kind)} />
      </div>
      {tokenInPlay && parameters && (
        <div className="mt-3">
          <Countdown validTo={parameters.parametersValidTo.toISOString()} what={`The ${request.region} parameters`} size="sm" />
        </div>
      )}
      {request.lastErrorMessage && state === "failed" && <p className="mt-3 text-sm text-alert-danger-fg">{request.lastErrorMessage}</p>}
      {blob && (
        <dl className="mt-3 text-sm">
          <dt className="text-xs font-medium uppercase tracking-wide text-ink-500">Uploaded blob SHA-256</dt>
          <dd className="break-all font-mono text-xs text-ink-900">{blob.sha256}</dd>
          <dd className="text-xs text-ink-600">
            {blob.size.toLocaleString("en")} bytes, by {personLabel(blob.uploadedByName, blob.uploadedBySubject)} {formatRelative(blob.uploadedAt, now)}
          </dd>
        </dl>
      )}
      <div className="mt-3 flex flex-wrap items-center gap-3 text-sm">
        {permissions.download.allowed && (
          <a href={`/api/imports/${request.id}/files/ImportParameters.zip`} className="font-medium text-accent-700 hover:underline" download>
            Download {request.region} parameters
          </a>
        )}
        <Link href={`/imports/${request.id}`} className="text-accent-700 hover:underline">
          Open the {request.region} request
        </Link>
      </div>
      {permissions.upload.allowed && expected && (
        <div className="mt-4 border-t border-ink-100 pt-4">
          <UploadForm requestId={request.id} expected={expected} expectedLabel={`${request.region}/EncryptedKeyMaterial.bin, ${describeBlobSize(expected)}`} replacing={!!blob} />
        </div>
      )}
    </section>
  );
}
