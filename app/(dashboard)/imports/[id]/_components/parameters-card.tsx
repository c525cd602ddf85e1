import { formatDateTime, formatRelative } from "@/components/ui/format";
import { DownloadIcon } from "@/components/ui/icons";
import { personLabel, wrappingLabel } from "@/lib/imports/labels";
import type { RequestPermissions } from "@/lib/imports/permissions";
import type { RequestDetails } from "@/lib/imports/read";
import { Card } from "./card";
import { IssueParametersButton } from "./request-actions";

/**
 * The current import parameters: each file with the SHA-256 of exactly the bytes the download route serves,
 * the download links while the server hands them out, and (re)issuing. Whether a link is live and what is
 * said instead come from the same answer the route handler enforces.
 */
export function ParametersCard({ details, permissions, now }: { details: RequestDetails; permissions: RequestPermissions; now: number }) {
  const { request, parameters, servedSha256 } = details;
  const download = permissions.download;
  const files = parameters
    ? [
        { file: "WrappingPublicKey.bin", what: "Wrapping public key (DER), as the AWS console names it", sha256: parameters.publicKeySha256 },
        { file: "WrappingPublicKey.pem", what: "The same public key as PEM", sha256: servedSha256?.pem ?? null },
        { file: "ImportToken.bin", what: "Import token (binary)", sha256: parameters.importTokenSha256 },
      ]
    : [];
  return (
    <Card id="parameters" title="Import parameters">
      {parameters ? (
        <>
          <p className="text-sm text-ink-700">
            {wrappingLabel(parameters.wrappingAlgorithm, parameters.wrappingKeySpec)} · issued by {personLabel(parameters.issuedByName, parameters.issuedBySubject)}{" "}
            {formatRelative(parameters.issuedAt, now)} · valid until {formatDateTime(parameters.parametersValidTo)}
            {details.parameterSets > 1 && <> · reissued {details.parameterSets - 1}×</>}
          </p>
          <ul className="mt-4 divide-y divide-ink-100 rounded-md ring-1 ring-ink-200" aria-label="Downloads">
            {files.map(({ file, what, sha256 }) => (
              <li key={file} className="flex flex-wrap items-center justify-between gap-3 px-3 py-2.5">
                <div className="min-w-0">
                  <p className="font-mono text-sm text-ink-900">{file}</p>
                  <p className="text-xs text-ink-600">{what}</p>
                  {sha256 && <p className="break-all font-mono text-xs text-ink-500">SHA-256 {sha256}</p>}
                </div>
                <DownloadLink requestId={request.id} file={file} enabled={download.allowed} />
              </li>
            ))}
            <li className="flex flex-wrap items-center justify-between gap-3 bg-ink-50/60 px-3 py-2.5">
              <div className="min-w-0">
                <p className="font-mono text-sm text-ink-900">ImportParameters-{request.keyId}.zip</p>
                <p className="text-xs text-ink-600">All three, and a README.txt with their SHA-256 and the commands below</p>
                {servedSha256 && <p className="break-all font-mono text-xs text-ink-500">SHA-256 {servedSha256.zip}</p>}
              </div>
              <DownloadLink requestId={request.id} file="ImportParameters.zip" enabled={download.allowed} label="Download all (zip)" />
            </li>
          </ul>
          {!download.allowed && <p className="mt-3 text-sm text-ink-600">{download.error.message}</p>}
        </>
      ) : (
        <p className="text-sm text-ink-600">
          {request.state === "draft" ? "No parameters yet: AWS KMS has not issued a wrapping key and token for this request." : "No current parameters."}
        </p>
      )}
      {permissions.reissue.allowed && (
        <div className="mt-4">
          <IssueParametersButton requestId={request.id} reissue={!!parameters} />
        </div>
      )}
    </Card>
  );
}

function DownloadLink({ requestId, file, enabled, label = "Download" }: { requestId: string; file: string; enabled: boolean; label?: string }) {
  if (!enabled)
    return (
      <span aria-disabled="true" className="inline-flex h-8 items-center gap-1.5 rounded-md bg-ink-50 px-3 text-sm text-ink-500 ring-1 ring-inset ring-ink-200">
        <DownloadIcon className="size-4" />
        {label}
        <span className="sr-only"> {file} (not available)</span>
      </span>
    );
  return (
    <a
      href={`/api/imports/${requestId}/files/${file}`}
      download
      className="inline-flex h-8 items-center gap-1.5 rounded-md bg-white px-3 text-sm font-medium text-ink-800 ring-1 ring-inset ring-ink-300 hover:bg-ink-50"
    >
      <DownloadIcon className="size-4" />
      {label}
      <span className="sr-only"> {file}</span>
    </a>
  );
}
