import Link from "next/link";
import { RequestsTable, type TargetNames } from "@/components/imports/requests-table";
import { Badge } from "@/components/ui/badge";
import { formatCount, formatRelative } from "@/components/ui/format";
import { AbsoluteTime } from "@/components/ui/timestamp";
import { importDeps } from "@/lib/imports";
import { DOWNLOADS_ON_PAGE, PENDING_PAGE_ROWS, downloadsByRequest, pendingLists } from "@/lib/imports/pending";
import { ExportPanel } from "./export-panel";
import { keyHref } from "@/lib/inventory/key-href";
import { DriftSection } from "./drift-section";
import { KeyList } from "./key-list";
import { Quiet, Section } from "./section";

/**
 * What is pending: open requests by what they wait for (with who downloaded their parameters, from the audit
 * trail), keys still waiting for key material, and material about to expire. The lists and the downloads are
 * read in a fixed number of queries however many rows there are.
 */
export async function PendingView({
  now,
  targets,
  warningDays,
  canRequest,
  canExport,
  canReadAudit,
  canReviewDrift,
}: {
  now: number;
  targets: TargetNames;
  warningDays: number;
  canRequest: boolean;
  canExport: boolean;
  canReadAudit: boolean;
  /** Auditors and admins see what changed in KMS outside Keyport, and acknowledge it. */
  canReviewDrift: boolean;
}) {
  const deps = await importDeps();
  const { open, pendingKeys, expiring } = await pendingLists(deps, { warningDays, limit: PENDING_PAGE_ROWS });
  const outstanding = open.filter((r) => r.state === "draft" || r.state === "parameters_issued");
  const awaiting = open.filter((r) => r.state === "awaiting_approval" || r.state === "importing");
  const attention = open.filter((r) => r.state === "failed" || r.state === "expired");
  const downloads = await downloadsByRequest(deps.db, [...outstanding, ...awaiting].map((r) => r.id), DOWNLOADS_ON_PAGE);
  const openByKey = new Map(open.map((r) => [`${r.targetId}|${r.region}|${r.keyId}`, r]));
  const auditHref = canReadAudit ? (id: string) => `/audit?request=${id}&action=import.downloaded` : undefined;
  const expiringTitle = `Key material expiring within ${formatCount(warningDays, "day")}`;

  return (
    <div className="space-y-8">
      {canExport && <ExportPanel />}
      {canReviewDrift && <DriftSection now={now} targets={targets} />}
      <Section id="outstanding" title="Import parameters outstanding" count={outstanding.length} hint="Parameters handed out and waiting for the wrapped key material, with the time left on each token and who downloaded it.">
        {outstanding.length ? (
          <RequestsTable rows={outstanding} targets={targets} now={now} caption="Import parameters outstanding" downloads={downloads} auditHref={auditHref} />
        ) : (
          <Quiet>No parameters are outstanding.</Quiet>
        )}
      </Section>
      <Section id="awaiting" title="Awaiting approval" count={awaiting.length} hint="Wrapped key material uploaded; an approver who neither requested nor uploaded it must decide.">
        {awaiting.length ? (
          <RequestsTable rows={awaiting} targets={targets} now={now} caption="Import requests awaiting approval" downloads={downloads} auditHref={auditHref} />
        ) : (
          <Quiet>Nothing is waiting for approval.</Quiet>
        )}
      </Section>
      <Section id="attention" title="Failed or expired, not closed" count={attention.length} hint="Retry a failed import while its token lives, reissue parameters, or cancel the request.">
        {attention.length ? (
          <RequestsTable rows={attention} targets={targets} now={now} caption="Failed or expired import requests" />
        ) : (
          <Quiet>No failed or expired requests are open.</Quiet>
        )}
      </Section>
      <Section id="pending-keys" title="Keys waiting for key material" count={pendingKeys.total} hint="EXTERNAL keys in PendingImport: they cannot be used until key material is imported.">
        {pendingKeys.rows.length ? (
          <KeyList
            rows={pendingKeys.rows}
            targets={targets}
            caption="Keys waiting for key material"
            detail={(key) => {
              const request = openByKey.get(`${key.targetId}|${key.region}|${key.keyId}`);
              if (request) return <Link href={`/imports/${request.id}`} className="text-sm font-medium text-accent-700 hover:underline">Open request</Link>;
              return canRequest ? (
                <Link href={`${keyHref(key)}/import`} className="text-sm font-medium text-accent-700 hover:underline">
                  Start an import
                </Link>
              ) : (
                <span className="text-sm text-ink-500">No request yet</span>
              );
            }}
          />
        ) : (
          <Quiet>Every EXTERNAL key has key material.</Quiet>
        )}
      </Section>
      <Section id="expiring" title={expiringTitle} count={expiring.total} hint="When ValidTo passes, KMS deletes the material and the key stops working until the same material is imported again.">
        {expiring.rows.length ? (
          <KeyList
            rows={expiring.rows}
            targets={targets}
            caption={expiringTitle}
            detailLabel="Expires"
            detail={(key) =>
              key.validTo ? (
                <span className="inline-flex flex-col items-end gap-1">
                  <Badge tone="expiring">Expires {formatRelative(key.validTo, now)}</Badge>
                  <AbsoluteTime value={key.validTo} className="text-xs text-ink-600" />
                </span>
              ) : null
            }
          />
        ) : (
          <Quiet>No key material expires in the next {formatCount(warningDays, "day")}.</Quiet>
        )}
      </Section>
    </div>
  );
}
