import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { Countdown, CountdownProvider } from "@/components/ui/countdown";
import { LiveRefresh } from "@/components/ui/live-refresh";
import { formatRelative } from "@/components/ui/format";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { importDeps, read } from "@/lib/imports";
import { labelOf, personLabel, showsCountdown } from "@/lib/imports/labels";
import { decisionPanelState, permissionsFor, requestFacts } from "@/lib/imports/permissions";
import { approvalConfirmation, sessionIdSchema } from "@/lib/imports/schemas";
import { isFinal, type RequestKind, type RequestState } from "@/lib/imports/states";
import { getKey } from "@/lib/inventory";
import { regionRole } from "@/lib/inventory/multi-region";
import { Card } from "../../[id]/_components/card";
import { VerifySessionButton } from "../../[id]/_components/request-actions";
import { RegionCard } from "./_components/region-card";
import { SessionDecision } from "./_components/session-decision";
import { SessionVerification } from "./_components/session-verification";

export const metadata: Metadata = { title: "Multi-Region import" };

const paramsSchema = z.object({ id: sessionIdSchema });

/**
 * A multi-Region import session: one request per Region, on one page. The earliest token governs the
 * session; each Region downloads and uploads its own files (or all at once through the session's zip);
 * approvers decide once for every Region. What each person may do comes from lib/imports/permissions.ts,
 * per Region, as the actions and routes enforce it.
 */
export default async function ImportSessionPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePageSession("imports.read");
  const parsed = paramsSchema.safeParse(await params);
  if (!parsed.success) notFound();
  const deps = await importDeps();
  // Taken before the details: a change landing in between makes the first poll differ and re-render once more.
  const stamp = await read.sessionStamp(deps, parsed.data.id);
  const details = await read.sessionDetails(deps, parsed.data.id);
  if (!details) notFound();

  const now = nowMs();
  const person = { id: session.user.id, roles: session.user.roles };
  const members = details.members.map((m) => ({ details: m, permissions: permissionsFor(requestFacts(m, { approvalsRequired: deps.approvalsRequired, now }), person) }));
  const first = members[0]!.details.request;
  const keys = await Promise.all(members.map((m) => getKey(m.details.request.targetId, m.details.request.region, m.details.request.keyId)));
  const roleOf = (i: number) => (keys[i] ? regionRole(keys[i]) : null);
  const target = getConfig().targets.find((t) => t.id === first.targetId);
  const label = first.alias ?? first.keyId;

  const live = members.filter((m) => m.details.parameters && showsCountdown(m.permissions.effectiveState));
  const governing = live.map((m) => m.details.parameters!.parametersValidTo).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  const open = members.filter((m) => !isFinal(m.permissions.effectiveState) && m.permissions.effectiveState !== "failed");
  const ready = open.length > 0 && open.every((m) => m.permissions.effectiveState === "awaiting_approval" && m.details.blob);
  const refusal = open.map((m) => decisionPanelState(m.permissions.approve).refusal).find((r) => r) ?? null;
  const verification = [...members[0]!.details.history].reverse().find((e) => e.action === "import.session_verified") ?? null;

  return (
    <CountdownProvider serverNow={now}>
      {members.some((m) => !isFinal(m.details.request.state)) && <LiveRefresh stamp={stamp} sessionId={details.sessionId} />}
      <nav aria-label="Breadcrumb" className="mb-4 text-sm text-ink-600">
        <Link href="/imports" className="hover:text-ink-900 hover:underline">
          Imports
        </Link>
        <span aria-hidden className="mx-2 text-ink-400">/</span>
        <span className="text-ink-900">Multi-Region session {details.sessionId.slice(0, 8)}</span>
      </nav>
      <div className="mb-6">
        <h1 className="text-2xl font-semibold tracking-tight text-ink-900">Import {label} in {members.length} Regions</h1>
        <p className="mt-1 text-sm text-ink-600">
          {target?.name ?? first.targetId} · <span className="font-mono text-xs">{first.keyId}</span> · <span className="font-mono text-xs">{first.keySpec}</span> · requested
          by {personLabel(first.requestedByName, first.requestedBySubject)} {formatRelative(first.createdAt, now)}
        </p>
        <p className="mt-2 max-w-3xl text-sm text-ink-800">{first.justification}</p>
      </div>

      <div className="space-y-4">
        {governing && (
          <div className="rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200">
            <p className="mb-2 text-sm text-ink-700">The earliest import token governs the session: every Region must be imported before it runs out.</p>
            <Countdown validTo={governing.toISOString()} what="The session's earliest import token" />
          </div>
        )}

        {members.some((m) => m.permissions.download.allowed) && (
          <Card id="bundle" title="Every Region at once">
            <p className="text-sm text-ink-700">
              One zip with a folder per Region (its wrapping public key and import token), a README with every SHA-256, and <code className="font-mono">wrap-all.sh</code>,
              which wraps one key material for every Region&rsquo;s public key. Upload each Region&rsquo;s <code className="font-mono">EncryptedKeyMaterial.bin</code> below.
            </p>
            <a
              href={`/api/imports/sessions/${details.sessionId}/bundle`}
              download
              className="mt-3 inline-flex h-9 items-center rounded-md bg-accent-600 px-4 text-sm font-medium text-white hover:bg-accent-700"
            >
              Download every Region&rsquo;s parameters (zip)
            </a>
          </Card>
        )}

        <section aria-labelledby="regions-heading">
          <h2 id="regions-heading" className="mb-3 text-sm font-semibold text-ink-900">
            Regions
          </h2>
          <div className="grid gap-4 lg:grid-cols-2">
            {members.map((m, i) => (
              <RegionCard key={m.details.request.id} details={m.details} permissions={m.permissions} role={roleOf(i)} now={now} />
            ))}
          </div>
        </section>

        <Card id="decision" title="Approval for every Region">
          {open.length === 0 ? (
            <DecidedSummary members={members.map((m) => ({ region: m.details.request.region, state: m.permissions.effectiveState, kind: m.details.request.kind }))} />
          ) : !ready ? (
            <p className="text-sm text-ink-700">
              Waiting for the upload in {open.filter((m) => m.permissions.effectiveState !== "awaiting_approval").map((m) => m.details.request.region).join(", ")}. Approvers decide once
              every Region&rsquo;s blob is uploaded.
            </p>
          ) : !can(session.user.roles, "imports.approve") ? (
            <p className="text-sm text-ink-700">An approver who neither requested nor uploaded it decides, once for every Region.</p>
          ) : refusal ? (
            <p role="note" className="text-sm text-ink-700">
              {refusal}
            </p>
          ) : (
            <SessionDecision
              sessionId={details.sessionId}
              regions={open.map((m) => ({ requestId: m.details.request.id, region: m.details.request.region, sha256: m.details.blob!.sha256 }))}
              confirmation={approvalConfirmation("import")}
            />
          )}
        </Card>

        <Card id="verification" title="Do the Regions hold the same material?">
          <SessionVerification event={verification} />
          {members.every((m) => m.permissions.effectiveState === "imported") && can(session.user.roles, "imports.verify") && (
            <div className="mt-4">
              <VerifySessionButton sessionId={details.sessionId} />
            </div>
          )}
        </Card>
      </div>
    </CountdownProvider>
  );
}

/** Once no Region waits for a decision: what became of each, and what a failed Region needs. */
function DecidedSummary({ members }: { members: Array<{ region: string; state: RequestState; kind: RequestKind }> }) {
  const byState = new Map<RequestState, string[]>();
  for (const m of members) byState.set(m.state, [...(byState.get(m.state) ?? []), m.region]);
  return (
    <div className="space-y-1 text-sm text-ink-700">
      {[...byState].map(([state, regions]) => (
        <p key={state}>
          <span className="font-medium text-ink-900">{labelOf(state, members[0]!.kind)}</span> in {regions.join(", ")}.
        </p>
      ))}
      {byState.has("failed") && <p>Retry a failed Region from its own request page while its token lives; the others stay as they are.</p>}
    </div>
  );
}
