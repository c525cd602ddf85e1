import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { z } from "zod";
import { DecisionPanel } from "@/components/imports/decision-panel";
import { LiveRefresh } from "@/components/ui/live-refresh";
import { RequestStateBadge } from "@/components/ui/badge";
import { CommandBlock } from "@/components/ui/command-block";
import { Countdown, CountdownProvider } from "@/components/ui/countdown";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { Alert, alertClasses } from "@/components/ui/alert";
import { CheckIcon, DownloadIcon } from "@/components/ui/icons";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { importDeps, read } from "@/lib/imports";
import { awsCliCommands, custodianCommands, verificationCommand, type CommandInput } from "@/lib/imports/commands";
import { describeBlobSize, expectedBlobSize, isKeySpec, type KeySpec, type WrappingAlgorithm, type WrappingKeySpec } from "@/lib/imports/compat";
import { selfApproval } from "@/lib/imports/errors";
import { expirationLabel, kindLabel, labelOf, personLabel, requestTitle, wrappingLabel } from "@/lib/imports/labels";
import type { RequestDetails } from "@/lib/imports/read";
import { requestIdSchema } from "@/lib/imports/schemas";
import { canDo, isFinal, onlyRotationLeft } from "@/lib/imports/states";
import type { VerificationResult } from "@/lib/imports/workflow";
import { decideImportRequest, retryImportRequest } from "../../approvals/actions";
import { RequestHistory } from "./_components/history";
import { CancelRequestButton, IssueParametersButton, RetryButton, VerifyButton } from "./_components/request-actions";
import { UploadForm } from "./_components/upload-form";

export const metadata: Metadata = { title: "Import request" };

const paramsSchema = z.object({ id: requestIdSchema });

const FILES = [
  { file: "WrappingPublicKey.bin", what: "Wrapping public key (DER), as the AWS console names it" },
  { file: "WrappingPublicKey.pem", what: "The same public key as PEM" },
  { file: "ImportToken.bin", what: "Import token (binary)" },
] as const;

export default async function ImportRequestPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePageSession("imports.read");
  const parsed = paramsSchema.safeParse(await params);
  if (!parsed.success) notFound();
  const deps = await importDeps();
  // Taken before the details: a change landing in between makes the first poll differ and re-render once more.
  const stamp = await read.changeStamp(deps, parsed.data.id);
  const details = await read.requestDetails(deps, parsed.data.id);
  if (!details) notFound();

  const config = getConfig();
  const now = nowMs();
  const { request, parameters, blob, approvals, history, verification } = details;
  const roles = session.user.roles;
  const me = session.user.id;
  const target = config.targets.find((t) => t.id === request.targetId);
  const keyLabel = request.alias ?? request.keyId;
  const keyHref = `/keys/${encodeURIComponent(request.targetId)}/${encodeURIComponent(request.region)}/${encodeURIComponent(request.keyId)}`;
  const tokenLive = !!parameters && parameters.parametersValidTo.getTime() > now;
  const keySpec: KeySpec | null = isKeySpec(request.keySpec) ? request.keySpec : null;
  const wrapping = parameters
    ? { algorithm: parameters.wrappingAlgorithm as WrappingAlgorithm, wrappingKeySpec: parameters.wrappingKeySpec as WrappingKeySpec }
    : request.wrappingAlgorithm && request.wrappingKeySpec
      ? { algorithm: request.wrappingAlgorithm as WrappingAlgorithm, wrappingKeySpec: request.wrappingKeySpec as WrappingKeySpec }
      : null;
  const commandInput: CommandInput | null =
    keySpec && wrapping
      ? {
          keyArn: request.keyArn,
          region: request.region,
          keySpec,
          wrappingAlgorithm: wrapping.algorithm,
          wrappingKeySpec: wrapping.wrappingKeySpec,
          expirationModel: request.expirationModel,
          validTo: request.validTo,
          importType: request.importType,
        }
      : null;
  const expected = commandInput ? expectedBlobSize(commandInput.keySpec, commandInput.region, commandInput.wrappingAlgorithm, commandInput.wrappingKeySpec) : null;

  const downloadable = (request.state === "parameters_issued" || request.state === "awaiting_approval") && tokenLive;
  const canRequest = can(roles, "imports.request");
  const canApprove = can(roles, "imports.approve");
  const canDownload = can(roles, "imports.download");
  const uploadable = canRequest && canDo(request.kind, request.state, "upload") && tokenLive && !!expected;
  // A rotation whose new material is imported has only the rotate step left: no token needed, none to reissue.
  const rotateOnly = onlyRotationLeft(request.kind, request.keyMaterialId);
  const reissuable = canRequest && canDo(request.kind, request.state, "issue_parameters") && !rotateOnly;
  const cancellable = canRequest && canDo(request.kind, request.state, "cancel");
  const currentApprovals = approvals.filter((a) => a.decision === "approve" && a.wrappedBlobId === (blob?.id ?? null)).length;
  const selfRole = me === request.requestedBySubject ? "requester" : blob && me === blob.uploadedBySubject ? "uploader" : null;
  const decided = approvals.some((a) => a.approverSubject === me && a.wrappedBlobId === (blob?.id ?? null));
  const retryable = canApprove && request.state === "failed" && (request.kind === "delete_material" || rotateOnly || tokenLive);

  return (
    <CountdownProvider serverNow={now}>
      {!isFinal(request.state) && <LiveRefresh stamp={stamp} requestId={request.id} />}
      <nav aria-label="Breadcrumb" className="mb-4 text-sm text-ink-600">
        <Link href="/imports" className="hover:text-ink-900 hover:underline">
          Imports
        </Link>
        <span aria-hidden className="mx-2 text-ink-400">/</span>
        <span className="font-mono text-ink-900">{request.id.slice(0, 8)}</span>
      </nav>
      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight text-ink-900">{requestTitle(request.kind, keyLabel)}</h1>
          <p className="mt-1 text-sm text-ink-600">
            {target?.name ?? request.targetId} <span className="font-mono text-xs">({target?.accountId ?? request.keyArn.split(":")[4]})</span> · {request.region} ·{" "}
            <span className="font-mono text-xs">{request.keySpec}</span> · requested by {personLabel(request.requestedByName, request.requestedBySubject)}{" "}
            {formatRelative(request.createdAt, now)}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <RequestStateBadge state={request.state} label={labelOf(request.state, request.kind)} />
          {parameters && (request.state === "parameters_issued" || request.state === "awaiting_approval" || (request.state === "failed" && !rotateOnly)) && (
            <Countdown validTo={parameters.parametersValidTo.toISOString()} size="lg" />
          )}
        </div>
      </div>

      <StatusBanner details={details} now={now} />

      <div className="mt-6 grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          {request.kind !== "delete_material" && (
            <Card id="parameters" title="Import parameters">
              {parameters ? (
                <>
                  <p className="text-sm text-ink-700">
                    {wrappingLabel(parameters.wrappingAlgorithm, parameters.wrappingKeySpec)} · issued by {personLabel(parameters.issuedByName, parameters.issuedBySubject)}{" "}
                    {formatRelative(parameters.issuedAt, now)} · valid until {formatDateTime(parameters.parametersValidTo)}
                    {details.parameterSets > 1 && <> · reissued {details.parameterSets - 1}×</>}
                  </p>
                  <ul className="mt-4 divide-y divide-ink-100 rounded-md ring-1 ring-ink-200" aria-label="Downloads">
                    {FILES.map(({ file, what }) => (
                      <li key={file} className="flex flex-wrap items-center justify-between gap-3 px-3 py-2.5">
                        <div className="min-w-0">
                          <p className="font-mono text-sm text-ink-900">{file}</p>
                          <p className="text-xs text-ink-600">{what}</p>
                          {file !== "WrappingPublicKey.pem" && (
                            <p className="break-all font-mono text-xs text-ink-500">
                              SHA-256 {file === "ImportToken.bin" ? parameters.importTokenSha256 : parameters.publicKeySha256}
                            </p>
                          )}
                        </div>
                        <DownloadLink requestId={request.id} file={file} enabled={downloadable && canDownload} />
                      </li>
                    ))}
                    <li className="flex flex-wrap items-center justify-between gap-3 bg-ink-50/60 px-3 py-2.5">
                      <div>
                        <p className="font-mono text-sm text-ink-900">ImportParameters-{request.keyId}.zip</p>
                        <p className="text-xs text-ink-600">All three, and a README.txt with their SHA-256 and the commands below</p>
                      </div>
                      <DownloadLink requestId={request.id} file="ImportParameters.zip" enabled={downloadable && canDownload} label="Download all (zip)" />
                    </li>
                  </ul>
                  {!downloadable && (
                    <p className="mt-3 text-sm text-ink-600">
                      {tokenLive
                        ? "The files are handed out only while the request waits for its upload or approval."
                        : "These parameters have expired: Keyport no longer hands them out and KMS would refuse the token. Reissue the parameters to get a new pair."}
                    </p>
                  )}
                  {downloadable && !canDownload && <p className="mt-3 text-sm text-ink-600">Only custodians download import parameters.</p>}
                </>
              ) : (
                <p className="text-sm text-ink-600">
                  {request.state === "draft" ? "No parameters yet: AWS KMS has not issued a wrapping key and token for this request." : "No current parameters."}
                </p>
              )}
              {reissuable && (
                <div className="mt-4">
                  <IssueParametersButton requestId={request.id} reissue={!!parameters} />
                </div>
              )}
            </Card>
          )}

          {commandInput && request.kind !== "delete_material" && (request.state === "parameters_issued" || request.state === "awaiting_approval" || request.state === "draft") && (
            <Card id="commands" title="Wrap the key material (on your workstation)">
              <p className="text-sm text-ink-600">
                For {commandInput.keySpec} with {commandInput.wrappingAlgorithm} and an {commandInput.wrappingKeySpec} wrapping key. Plaintext key material never reaches
                Keyport: only the wrapped result is uploaded.
              </p>
              <div className="mt-4 space-y-5">
                {custodianCommands(commandInput).map((step, i) => (
                  <CommandBlock key={step.id} step={i + 1} title={step.title} note={step.note} command={step.command} />
                ))}
              </div>
              <details className="mt-5 rounded-md bg-ink-50 p-3">
                <summary className="cursor-pointer text-sm font-medium text-ink-800">What Keyport does in AWS (AWS CLI equivalents)</summary>
                <div className="mt-3 space-y-5">
                  {awsCliCommands(commandInput).map((step) => (
                    <CommandBlock key={step.id} title={step.title} note={step.note} command={step.command} />
                  ))}
                </div>
              </details>
            </Card>
          )}

          {request.kind !== "delete_material" && (uploadable || blob) && (
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
          )}

          {request.state === "awaiting_approval" && (
            <Card id="decision" title={`Approval (${currentApprovals} of ${deps.approvalsRequired})`}>
              {canApprove ? (
                <DecisionPanel
                  decide={decideImportRequest}
                  requestId={request.id}
                  blobSha256={blob?.sha256 ?? null}
                  approvals={currentApprovals}
                  required={deps.approvalsRequired}
                  refusal={selfRole ? selfApproval(selfRole, "approve").message : null}
                  decided={decided}
                  verb={request.kind === "delete_material" ? "deletion" : "import"}
                />
              ) : (
                <p className="text-sm text-ink-600">
                  An approver who neither requested nor uploaded it decides. {deps.approvalsRequired > 1 ? `${deps.approvalsRequired} approvals are needed.` : ""}
                </p>
              )}
            </Card>
          )}

          {request.state === "failed" && (retryable || cancellable) && (
            <Card id="recover" title="Recover">
              <div className="flex flex-wrap items-start gap-6">
                {retryable &&
                  (selfRole ? (
                    <p className="text-sm text-ink-700">{selfApproval(selfRole, "retry").message}</p>
                  ) : (
                    <RetryButton requestId={request.id} retry={retryImportRequest} />
                  ))}
                {rotateOnly ? (
                  <p className="text-sm text-ink-700">The new key material is in KMS, waiting for the rotation: a retry only rotates the key to it.</p>
                ) : (
                  !tokenLive &&
                  request.kind !== "delete_material" && <p className="text-sm text-ink-700">The token has expired: reissue the parameters and wrap the material again.</p>
                )}
              </div>
            </Card>
          )}

          {request.state === "imported" && request.kind !== "delete_material" && keySpec && (
            <Card id="verification" title="Verification">
              <Verification result={verification} keySpec={keySpec} />
              <div className="mt-4">
                <VerifyButton requestId={request.id} />
              </div>
            </Card>
          )}

          <Card id="history" title="History">
            <RequestHistory events={history} />
          </Card>
        </div>

        <aside className="space-y-6">
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
        </aside>
      </div>
    </CountdownProvider>
  );
}

function Card({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200">
      <h2 id={`${id}-heading`} className="mb-3 text-sm font-semibold text-ink-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

function Field({ label, children, mono, wide }: { label: string; children: ReactNode; mono?: boolean; wide?: boolean }) {
  return (
    <div className={`min-w-0 ${wide ? "sm:col-span-2" : ""}`}>
      <dt className="text-xs font-medium uppercase tracking-wide text-ink-500">{label}</dt>
      <dd className={`mt-0.5 break-words text-ink-900 ${mono ? "break-all font-mono text-xs" : ""}`}>{children}</dd>
    </div>
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

function StatusBanner({ details, now }: { details: RequestDetails; now: number }) {
  const { request, parameters } = details;
  switch (request.state) {
    case "draft":
      return request.lastErrorMessage ? (
        <Alert tone="danger" title="AWS KMS did not issue parameters.">
          {request.lastErrorMessage}
        </Alert>
      ) : null;
    case "parameters_issued":
      return (
        <Alert tone="info" title="Next:">
          download the parameters, wrap the key material offline with the commands below, and upload EncryptedKeyMaterial.bin before the
          countdown reaches zero.
        </Alert>
      );
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

function Verification({ result, keySpec }: { result: VerificationResult | null; keySpec: KeySpec }) {
  const offline = verificationCommand(keySpec);
  if (!result) return <p className="text-sm text-ink-600">Not verified yet.</p>;
  if (!result.ok)
    return (
      <Alert tone="danger" inline>
        The check failed ({result.code}): {result.message}
      </Alert>
    );
  return (
    <div className="space-y-4">
      {result.method === "encrypt_decrypt" && (
        <p className="text-sm text-ink-800">
          <CheckIcon className={`mr-1 inline size-4 ${alertClasses.success.icon}`} />
          Encrypt/Decrypt round trip passed {formatDateTime(result.at)}
          {result.keyMaterialId && (
            <>
              {" "}
              with key material <code className="break-all font-mono text-xs">{result.keyMaterialId}</code>
              {result.sameMaterial === true ? " (the imported material)." : "."}
            </>
          )}
        </p>
      )}
      {result.method === "key_check_value" && (
        <div className="text-sm text-ink-800">
          <p>
            Key check value ({result.macAlgorithm} of &ldquo;{result.message}&rdquo;), computed by KMS {formatDateTime(result.at)}:
          </p>
          <p className="mt-1 break-all rounded bg-ink-50 px-2 py-1 font-mono text-xs">{result.mac}</p>
        </div>
      )}
      {result.method === "public_key_fingerprint" && (
        <div className="text-sm text-ink-800">
          <p>SHA-256 fingerprint of the public key KMS reports ({formatDateTime(result.at)}):</p>
          <p className="mt-1 break-all rounded bg-ink-50 px-2 py-1 font-mono text-xs">{result.sha256}</p>
        </div>
      )}
      {offline && <CommandBlock title={offline.title} note={offline.note} command={offline.command} />}
    </div>
  );
}
