import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { DecisionPanel } from "@/components/imports/decision-panel";
import { LiveRefresh } from "@/components/ui/live-refresh";
import { RequestStateBadge } from "@/components/ui/badge";
import { Countdown, CountdownProvider } from "@/components/ui/countdown";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { ShieldCheckIcon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination, pageCount } from "@/components/ui/pagination";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { importDeps, read } from "@/lib/imports";
import { decisionPanelState, mayDecide, requestFacts } from "@/lib/imports/permissions";
import { approvalConfirmation, approvalsQuerySchema } from "@/lib/imports/schemas";
import { expirationLabel, kindLabel, labelOf, personLabel, requestTitle, wrappingLabel } from "@/lib/imports/labels";
import type { QueueEntry } from "@/lib/imports/read";
import { decideImportRequest } from "./actions";

export const metadata: Metadata = { title: "Approvals" };

const PAGE_SIZE = 50;

function pageHref(page: number): string {
  return page > 1 ? `/approvals?page=${page}` : "/approvals";
}

export default async function ApprovalsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requirePageSession("imports.read");
  const { page } = approvalsQuerySchema.parse(await searchParams);
  const config = getConfig();
  const deps = await importDeps();
  const now = nowMs();
  // Taken before the queue: a change landing in between makes the first poll differ and re-render once more.
  const stamp = await read.changeStamp(deps);
  const { waiting, waitingTotal, after, afterTotal } = await read.approvalQueue(deps, { page, pageSize: PAGE_SIZE });
  // A page past the end (decided meanwhile, or an old bookmark) opens the last page, as the other lists do.
  if (page > pageCount(waitingTotal, PAGE_SIZE)) redirect(pageHref(pageCount(waitingTotal, PAGE_SIZE)));
  const canApprove = can(session.user.roles, "imports.approve");
  const required = config.policy.approvalsRequired;

  return (
    <CountdownProvider serverNow={now}>
      <LiveRefresh stamp={stamp} />
      <PageHeader
        title="Approvals"
        description={`Wrapped key material and deletions waiting for a second person: ${required === 1 ? "one approval" : `${required} approvals`} from someone who neither requested nor uploaded it. Nobody approves their own request.`}
      />
      {waitingTotal === 0 ? (
        <EmptyState icon={<ShieldCheckIcon />} title="Nothing is waiting for approval">
          Uploaded key material that awaits a decision appears here, with the key, account, Region, wrapping choice, the SHA-256 of every file and the time left on its
          import token.
        </EmptyState>
      ) : (
        <div className="space-y-5">
          <ol className="space-y-5" aria-label="Waiting for a decision">
            {waiting.map((entry) => (
              <li key={entry.id}>
                <QueueCard entry={entry} now={now} me={session.user.id} roles={session.user.roles} canApprove={canApprove} required={required} targets={config.targets} />
              </li>
            ))}
          </ol>
          <Pagination page={page} total={waitingTotal} pageSize={PAGE_SIZE} hrefFor={pageHref} label="Pages of requests waiting for a decision" noun="request" />
        </div>
      )}
      {after.length > 0 && (
        <section aria-labelledby="after-heading" className="mt-10">
          <h2 id="after-heading" className="mb-3 text-base font-semibold text-ink-900">
            Approved: importing or failed
          </h2>
          <ul className="divide-y divide-ink-100 rounded-card bg-white shadow-card ring-1 ring-ink-200">
            {after.map((entry) => (
              <li key={entry.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 text-sm">
                <div className="min-w-0">
                  <Link href={`/imports/${entry.id}`} className="font-medium text-accent-700 hover:underline">
                    {requestTitle(entry.kind, entry.alias ?? entry.keyId)}
                  </Link>
                  {entry.lastErrorMessage && <p className="max-w-2xl text-xs text-alert-danger-fg">{entry.lastErrorMessage}</p>}
                </div>
                <div className="flex items-center gap-2">
                  <RequestStateBadge state={entry.state} label={labelOf(entry.state, entry.kind)} />
                  {entry.parametersValidTo && entry.state === "failed" && <Countdown validTo={entry.parametersValidTo.toISOString()} size="sm" />}
                </div>
              </li>
            ))}
          </ul>
          {afterTotal > after.length && (
            <p className="mt-2 text-sm text-ink-600">
              Showing the {after.length} most recently changed of {afterTotal}. See every request{" "}
              <Link href="/imports?view=all&state=importing" className="font-medium text-accent-700 hover:underline">
                importing
              </Link>{" "}
              or{" "}
              <Link href="/imports?view=all&state=failed" className="font-medium text-accent-700 hover:underline">
                failed
              </Link>
              .
            </p>
          )}
        </section>
      )}
    </CountdownProvider>
  );
}

function QueueCard({
  entry,
  now,
  me,
  roles,
  canApprove,
  required,
  targets,
}: {
  entry: QueueEntry;
  now: number;
  me: string;
  roles: readonly string[];
  canApprove: boolean;
  required: number;
  targets: Array<{ id: string; name: string; accountId: string }>;
}) {
  const target = targets.find((t) => t.id === entry.targetId);
  const deletion = entry.kind === "delete_material";
  // Approvals that count are those of the current upload (or, for a deletion, of the request).
  const current = entry.approvals.filter((a) => a.decision === "approve" && a.wrappedBlobId === (deletion ? null : entry.blobId));
  // The same answer the server gives when the decision arrives (lib/imports/permissions.ts).
  const facts = requestFacts(
    {
      request: entry,
      parameters: entry.parametersValidTo ? { parametersValidTo: entry.parametersValidTo } : null,
      blob: entry.blobId && entry.uploadedBySubject ? { id: entry.blobId, uploadedBySubject: entry.uploadedBySubject } : null,
      approvals: entry.approvals,
    },
    { approvalsRequired: required, now },
  );
  const { refusal, decided } = decisionPanelState(mayDecide(facts, { id: me, roles }, "approve"));
  const keyLabel = entry.alias ?? entry.keyId;

  return (
    <article aria-labelledby={`q-${entry.id}`} className="rounded-card bg-white shadow-card ring-1 ring-ink-200">
      <header className="flex flex-wrap items-start justify-between gap-3 border-b border-ink-100 px-5 py-4">
        <div className="min-w-0">
          <h2 id={`q-${entry.id}`} className="text-base font-semibold text-ink-900">
            <Link href={`/imports/${entry.id}`} className="hover:underline">
              {requestTitle(entry.kind, keyLabel)}
            </Link>
          </h2>
          <p className="mt-0.5 break-all font-mono text-xs text-ink-500">{entry.keyArn}</p>
          <Link href={`/imports/${entry.id}`} className="mt-1 inline-block text-sm text-accent-700 hover:underline">
            Open request <span className="font-mono">{entry.id.slice(0, 8)}</span>: files, hashes and history
          </Link>
        </div>
        <div className="flex items-center gap-2">
          <span className="text-xs text-ink-600">
            {current.length} of {required} approval{required === 1 ? "" : "s"}
          </span>
          {!deletion && entry.parametersValidTo && <Countdown validTo={entry.parametersValidTo.toISOString()} />}
        </div>
      </header>
      <div className="grid gap-6 px-5 py-4 lg:grid-cols-5">
        <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2 lg:col-span-3">
          <Fact label="Account">
            {target?.name ?? entry.targetId} <span className="font-mono text-xs text-ink-500">({target?.accountId ?? entry.keyArn.split(":")[4]})</span>
          </Fact>
          <Fact label="Region" mono>{entry.region}</Fact>
          <Fact label="Key spec" mono>{entry.keySpec}</Fact>
          <Fact label="Kind">{kindLabel(entry.kind)}</Fact>
          {!deletion && (
            <>
              <Fact label="Wrapping" mono>{wrappingLabel(entry.wrappingAlgorithm, entry.wrappingKeySpec)}</Fact>
              <Fact label="Key material ValidTo">{expirationLabel(entry.expirationModel, entry.validTo)}</Fact>
              {entry.importType && <Fact label="Import type" mono>{entry.importType}</Fact>}
            </>
          )}
          <Fact label="Justification" wide>{entry.justification}</Fact>
          {!deletion && (
            <>
              <Fact label="SHA-256 of the public key" mono wide>{entry.publicKeySha256 ?? "—"}</Fact>
              <Fact label="SHA-256 of the import token" mono wide>{entry.importTokenSha256 ?? "—"}</Fact>
              <Fact label="SHA-256 of the uploaded blob" mono wide>
                {entry.blobSha256 ?? "—"}
                {entry.blobSize !== null && <span className="font-sans text-ink-500"> ({entry.blobSize.toLocaleString("en")} bytes)</span>}
              </Fact>
            </>
          )}
          <Fact label="Who did what" wide>
            <ul className="space-y-0.5">
              <li>
                Requested by <strong className="font-medium">{personLabel(entry.requestedByName, entry.requestedBySubject)}</strong> {formatRelative(entry.createdAt, now)}
              </li>
              {entry.uploadedBySubject && (
                <li>
                  Uploaded by <strong className="font-medium">{personLabel(entry.uploadedByName, entry.uploadedBySubject)}</strong>
                </li>
              )}
              {entry.approvals.map((a) => (
                <li key={a.id}>
                  {a.decision === "approve" ? "Approved" : "Rejected"} by <strong className="font-medium">{personLabel(a.approverName, a.approverSubject)}</strong>{" "}
                  <span className="text-ink-500" title={formatDateTime(a.createdAt)}>
                    {formatRelative(a.createdAt, now)}
                  </span>
                  {a.comment && <span className="text-ink-600"> — &ldquo;{a.comment}&rdquo;</span>}
                </li>
              ))}
            </ul>
          </Fact>
        </dl>
        <div className="lg:col-span-2">
          <h3 className="mb-2 text-sm font-semibold text-ink-900">Your decision</h3>
          {entry.sessionId ? (
            <p className="text-sm text-ink-700">
              Part of a multi-Region import: every Region is decided at once.{" "}
              <Link href={`/imports/sessions/${entry.sessionId}`} className="font-medium text-accent-700 hover:underline">
                Decide on the session
              </Link>
            </p>
          ) : canApprove ? (
            <DecisionPanel
              decide={decideImportRequest}
              requestId={entry.id}
              blobSha256={entry.blobSha256}
              confirmation={approvalConfirmation(entry.kind)}
              approvals={current.length}
              required={required}
              refusal={refusal}
              decided={decided}
              verb={deletion ? "deletion" : "import"}
            />
          ) : (
            <p className="text-sm text-ink-600">Only approvers decide. You can follow the request on its page.</p>
          )}
        </div>
      </div>
    </article>
  );
}

function Fact({ label, children, mono, wide }: { label: string; children: ReactNode; mono?: boolean; wide?: boolean }) {
  return (
    <div className={`min-w-0 ${wide ? "sm:col-span-2" : ""}`}>
      <dt className="text-xs font-medium uppercase tracking-wide text-ink-500">{label}</dt>
      <dd className={`mt-0.5 text-ink-900 ${mono ? "break-all font-mono text-xs" : "break-words"}`}>{children}</dd>
    </div>
  );
}
