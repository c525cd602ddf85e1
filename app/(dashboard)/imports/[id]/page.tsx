import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { LiveRefresh } from "@/components/ui/live-refresh";
import { RequestStateBadge } from "@/components/ui/badge";
import { Countdown, CountdownProvider } from "@/components/ui/countdown";
import { formatRelative } from "@/components/ui/format";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { importDeps, read } from "@/lib/imports";
import type { CommandInput } from "@/lib/imports/commands";
import { expectedBlobSize, isKeySpec, type KeySpec, type WrappingAlgorithm, type WrappingKeySpec } from "@/lib/imports/compat";
import { labelOf, personLabel, requestTitle } from "@/lib/imports/labels";
import { permissionsFor, requestFacts } from "@/lib/imports/permissions";
import type { RequestDetails } from "@/lib/imports/read";
import { requestIdSchema } from "@/lib/imports/schemas";
import { isFinal } from "@/lib/imports/states";
import { decideImportRequest, retryImportRequest } from "../../approvals/actions";
import { DecisionsCard, RequestFactsCard } from "./_components/aside";
import { Card } from "./_components/card";
import { RequestHistory } from "./_components/history";
import { ParametersCard } from "./_components/parameters-card";
import { VerifyButton } from "./_components/request-actions";
import { NextStep, StatusBanner } from "./_components/status-banner";
import { CommandsCard, DecisionCard, RecoverCard, UploadCard } from "./_components/steps";
import { Verification } from "./_components/verification";

export const metadata: Metadata = { title: "Import request" };

const paramsSchema = z.object({ id: requestIdSchema });

/**
 * One import request. What this person may do here — and the next step it announces — comes from
 * lib/imports/permissions.ts, the answer the server actions and the download route enforce.
 */
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
  const { request, parameters, blob, history, verification } = details;
  const permissions = permissionsFor(requestFacts(details, { approvalsRequired: deps.approvalsRequired, now }), { id: session.user.id, roles: session.user.roles });
  const canApprove = can(session.user.roles, "imports.approve");
  const target = config.targets.find((t) => t.id === request.targetId);
  const keyLabel = request.alias ?? request.keyId;
  const keySpec: KeySpec | null = isKeySpec(request.keySpec) ? request.keySpec : null;
  const commandInput = commandInputOf(details, keySpec);
  const expected = commandInput ? expectedBlobSize(commandInput.keySpec, commandInput.region, commandInput.wrappingAlgorithm, commandInput.wrappingKeySpec) : null;
  const state = permissions.effectiveState;
  const material = request.kind !== "delete_material";
  // The token's countdown and the wrapping commands matter while the token can still be used.
  const tokenInPlay = material && !!parameters && !permissions.rotationOnly && (state === "parameters_issued" || state === "awaiting_approval" || state === "failed");

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
          {tokenInPlay && <Countdown validTo={parameters.parametersValidTo.toISOString()} size="lg" />}
        </div>
      </div>

      {request.sessionId && (
        <p role="note" className="mb-4 rounded-md bg-accent-50 px-3 py-2 text-sm text-accent-800">
          This is the {request.region} part of a multi-Region import.{" "}
          <Link href={`/imports/sessions/${request.sessionId}`} className="font-medium underline">
            Open the session
          </Link>{" "}
          to see every Region, download them all at once, and decide once for all of them.
        </p>
      )}
      <StatusBanner details={details} now={now} />
      <NextStep text={permissions.nextStep} />

      <div className="mt-6 grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          {material && <ParametersCard details={details} permissions={permissions} now={now} />}
          {commandInput && material && (state === "draft" || tokenInPlay) && <CommandsCard input={commandInput} uploadedSha256={blob?.sha256 ?? null} />}
          {material && (permissions.upload.allowed || blob) && <UploadCard details={details} expected={expected} uploadable={permissions.upload.allowed} now={now} />}
          {state === "awaiting_approval" && !request.sessionId && (
            <DecisionCard details={details} permissions={permissions} canApprove={canApprove} required={deps.approvalsRequired} decide={decideImportRequest} />
          )}
          {state === "failed" && <RecoverCard details={details} permissions={permissions} canApprove={canApprove} retry={retryImportRequest} />}
          {request.state === "imported" && material && keySpec && (
            <Card id="verification" title="Verification">
              <Verification result={verification} keySpec={keySpec} />
              {permissions.verify.allowed && (
                <div className="mt-4">
                  <VerifyButton requestId={request.id} />
                </div>
              )}
            </Card>
          )}
          <Card id="history" title="History">
            <RequestHistory events={history} />
            {can(session.user.roles, "audit.export") && (
              <p className="mt-4 text-sm">
                <Link href={`/imports/${request.id}/evidence`} className="font-medium text-accent-700 hover:underline">
                  Evidence record
                </Link>{" "}
                <span className="text-ink-600">— the history with its stretch of the signed audit chain, to print or download and verify offline.</span>
              </p>
            )}
          </Card>
        </div>

        <aside className="space-y-6">
          <RequestFactsCard details={details} keyLabel={keyLabel} cancellable={permissions.cancel.allowed} />
          <DecisionsCard details={details} />
        </aside>
      </div>
    </CountdownProvider>
  );
}

/** The inputs of the wrapping commands: the current parameters' wrapping, else the one the request asked for. */
function commandInputOf(details: RequestDetails, keySpec: KeySpec | null): CommandInput | null {
  const { request, parameters } = details;
  const wrapping = parameters
    ? { algorithm: parameters.wrappingAlgorithm as WrappingAlgorithm, wrappingKeySpec: parameters.wrappingKeySpec as WrappingKeySpec }
    : request.wrappingAlgorithm && request.wrappingKeySpec
      ? { algorithm: request.wrappingAlgorithm as WrappingAlgorithm, wrappingKeySpec: request.wrappingKeySpec as WrappingKeySpec }
      : null;
  if (!keySpec || !wrapping) return null;
  return {
    keyArn: request.keyArn,
    region: request.region,
    keySpec,
    wrappingAlgorithm: wrapping.algorithm,
    wrappingKeySpec: wrapping.wrappingKeySpec,
    expirationModel: request.expirationModel,
    validTo: request.validTo,
    importType: request.importType,
  };
}
