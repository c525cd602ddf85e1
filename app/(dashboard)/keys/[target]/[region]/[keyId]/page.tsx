import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { RequestsTable } from "@/components/imports/requests-table";
import { Badge, KeyStateBadge, RequestStateBadge } from "@/components/ui/badge";
import { Countdown, CountdownProvider } from "@/components/ui/countdown";
import { formatDateTime } from "@/components/ui/format";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { importDeps, read } from "@/lib/imports";
import { familyOf, isKeySpec } from "@/lib/imports/compat";
import { labelOf, requestTitle, showsCountdown } from "@/lib/imports/labels";
import { isFinal } from "@/lib/imports/states";
import { getKey, keyRegions } from "@/lib/inventory";
import { keyHref as keyPageHref } from "@/lib/inventory/key-href";
import { keyParamsSchema } from "@/lib/inventory/schemas";
import { ExpiryCell } from "@/components/key-expiry";
import { DriftFindings } from "./_components/drift-findings";
import { MaterialHistory } from "./_components/material-history";
import { KeyRegions } from "./_components/key-regions";
import { RequestDeletionForm } from "./_components/request-deletion-form";
import { KeySchedule } from "./_components/key-schedule";
import { BreakGlassBanner } from "./_components/break-glass-banner";
import { BreakGlassForm } from "./_components/break-glass-form";
import { importBlockedBy, rotationBlockedBy } from "@/lib/inventory/key-readiness";

type Params = Promise<{ target: string; region: string; keyId: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { keyId } = await params;
  return { title: `Key ${keyId.slice(0, 13)}…` };
}

export default async function KeyPage({ params }: { params: Params }) {
  const session = await requirePageSession("keys.read");
  const parsed = keyParamsSchema.safeParse(await params);
  if (!parsed.success) notFound();
  const { target, region, keyId } = parsed.data;
  const key = await getKey(target, region, keyId);
  if (!key) notFound();
  const config = getConfig();
  const targetInfo = config.targets.find((t) => t.id === target);
  const now = nowMs();
  const requests = can(session.user.roles, "imports.read")
    ? await read.listImportRequests(await importDeps(), { key: { targetId: target, region, keyId } })
    : [];
  const open = requests.find((r) => !isFinal(r.state));
  const label = key.aliases[0] ?? key.keyId;
  const keyHref = keyPageHref(key);
  const regions = await keyRegions(key);
  const canRequest = can(session.user.roles, "imports.request");
  const canDelete = can(session.user.roles, "material.delete.request");
  const set = regions.length > 0 ? regions : [key];
  const brokenGlass = await read.brokenGlassKeys(await importDeps(), set.map((r) => r.arn));
  // Offered only while an operator has turned it on; the server refuses it otherwise all the same.
  const canBreakGlass = config.policy.breakGlass && can(session.user.roles, "break_glass");
  const supported = isKeySpec(key.keySpec);
  const blockedBy = importBlockedBy(key.keyState);
  const hasMaterial = key.keyState === "Enabled" || key.keyState === "Disabled";
  const symmetricEnabled = supported && isKeySpec(key.keySpec) && familyOf(key.keySpec) === "SYMMETRIC" && key.keyState === "Enabled";
  const rotationBlocked = symmetricEnabled ? rotationBlockedBy(key) : null;
  const rotatable = symmetricEnabled && !rotationBlocked;
  const targets = new Map(config.targets.map((t) => [t.id, { name: t.name, accountId: t.accountId }]));

  return (
    <CountdownProvider serverNow={now}>
      <nav aria-label="Breadcrumb" className="mb-4 text-sm text-ink-600">
        <Link href="/keys" className="hover:text-ink-900 hover:underline">
          Keys
        </Link>
        <span aria-hidden className="mx-2 text-ink-400">/</span>
        <span className="text-ink-900">{key.aliases[0] ?? key.keyId}</span>
      </nav>
      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="truncate text-2xl font-semibold tracking-tight text-ink-900">{key.aliases[0] ?? "Key without an alias"}</h1>
          <p className="mt-1 break-all font-mono text-xs text-ink-500">{key.arn}</p>
        </div>
        <div className="flex items-center gap-2">
          {key.keyState && <KeyStateBadge state={key.keyState} />}
          {key.multiRegion && (
            <Badge tone="accent" dot={false}>
              Multi-Region
            </Badge>
          )}
        </div>
      </div>

      {brokenGlass.size > 0 && (
        <BreakGlassBanner regions={set.flatMap((r) => (brokenGlass.has(r.arn) ? [{ region: r.region, brokenGlass: brokenGlass.get(r.arn)! }] : []))} />
      )}

      {/* min-w-0 on the cards: a grid item is otherwise at least as wide as its widest table, which then
          stretches the page past a phone's width instead of scrolling inside its card. */}
      <div className="grid gap-6 lg:grid-cols-3 [&>*]:min-w-0">
        <section aria-labelledby="metadata-heading" className="rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200 lg:col-span-2">
          <h2 id="metadata-heading" className="text-sm font-semibold text-ink-900">
            Key
          </h2>
          <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
            <Field label="Key id" mono>{key.keyId}</Field>
            <Field label="Account">
              {targetInfo?.name ?? target} <span className="font-mono text-xs text-ink-500">({key.accountId})</span>
            </Field>
            <Field label="Region" mono>{key.region}</Field>
            <Field label="Key spec" mono>{key.keySpec ?? "—"}</Field>
            <Field label="Key usage" mono>{key.keyUsage ?? "—"}</Field>
            <Field label="Created">{key.creationDate ? formatDateTime(key.creationDate) : "—"}</Field>
            <Field label="Key material">
              <ExpiryCell
                expirationModel={key.expirationModel}
                validTo={key.validTo}
                keyState={key.keyState}
                now={now}
                warningDays={config.policy.expiryWarningDays}
              />
            </Field>
            {key.currentKeyMaterialId && <Field label="Current key material id" mono>{key.currentKeyMaterialId}</Field>}
            {key.deletionDate && <Field label="Scheduled deletion">{formatDateTime(key.deletionDate)}</Field>}
            <Field label="Aliases">{key.aliases.length ? key.aliases.join(", ") : "None"}</Field>
            <Field label="Description">{key.description || "—"}</Field>
            <Field label="Inventory read">{key.lastDescribedAt ? formatDateTime(key.lastDescribedAt) : "—"}</Field>
          </dl>
        </section>

        <section aria-labelledby="work-heading" className="rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200">
          <h2 id="work-heading" className="text-sm font-semibold text-ink-900">
            Key material
          </h2>
          {open ? (
            <div className="mt-3 space-y-2 text-sm">
              <p className="text-ink-700">An open request is in progress:</p>
              <Link href={`/imports/${open.id}`} className="block font-medium text-accent-700 hover:underline">
                {requestTitle(open.kind, label)}
              </Link>
              <div className="flex flex-wrap items-center gap-2">
                <RequestStateBadge state={open.state} label={labelOf(open.state, open.kind)} />
                {open.parametersValidTo && showsCountdown(open.state) && <Countdown validTo={open.parametersValidTo.toISOString()} size="sm" />}
              </div>
            </div>
          ) : key.keyState === "PendingDeletion" ? (
            <p className="mt-3 text-sm text-ink-700">This key is scheduled for deletion: cancel the deletion in AWS KMS before importing or deleting material.</p>
          ) : blockedBy ? (
            <p className="mt-3 text-sm text-ink-700">{blockedBy}</p>
          ) : !supported ? (
            <p className="mt-3 text-sm text-ink-700">Keyport cannot import key material for key spec {key.keySpec ?? "unknown"}.</p>
          ) : canRequest || canDelete ? (
            <div className="mt-3 space-y-3">
              <p className="text-sm text-ink-700">
                {key.keyState === "PendingImport"
                  ? "This key has no key material yet: it cannot be used until some is imported."
                  : "Import the same material again, rotate to new material, or delete it — each under dual control."}
              </p>
              <div className="flex flex-col items-start gap-2">
                {canRequest && (
                  <Link href={`${keyHref}/import`} className="inline-flex h-9 items-center rounded-md bg-accent-600 px-4 text-sm font-medium text-white hover:bg-accent-700">
                    {key.keyState === "PendingImport" ? "Start an import" : "Reimport key material"}
                  </Link>
                )}
                {canRequest && regions.length > 1 && (
                  <Link href={`${keyHref}/import?kind=session`} className="inline-flex h-9 items-center rounded-md bg-white px-4 text-sm font-medium text-ink-800 ring-1 ring-inset ring-ink-300 hover:bg-ink-50">
                    Import in several Regions
                  </Link>
                )}
                {canRequest && rotatable && (
                  <Link href={`${keyHref}/import?kind=rotate`} className="inline-flex h-9 items-center rounded-md bg-white px-4 text-sm font-medium text-ink-800 ring-1 ring-inset ring-ink-300 hover:bg-ink-50">
                    Rotate to new key material
                  </Link>
                )}
                {canDelete && hasMaterial && <RequestDeletionForm target={target} region={region} keyId={keyId} />}
              </div>
              {canRequest && rotationBlocked && <p className="text-xs text-ink-600">{rotationBlocked}</p>}
            </div>
          ) : (
            <p className="mt-3 text-sm text-ink-700">Custodians start imports; approvers decide on them.</p>
          )}
          {/* Outside the branches above, so its result stays on screen after the page refreshes with the key emptied. */}
          {canBreakGlass && supported && (
            <div className="mt-4 border-t border-ink-100 pt-3">
              <BreakGlassForm
                target={target}
                region={region}
                keyId={keyId}
                aliases={key.aliases}
                regions={set.map((r) => r.region)}
                hasMaterial={set.some((r) => r.keyState !== "PendingImport")}
              />
            </div>
          )}
        </section>

        {regions.length > 1 && <KeyRegions current={key} regions={regions} now={now} warningDays={config.policy.expiryWarningDays} />}

        {supported && <KeySchedule keyRow={key} canManage={can(session.user.roles, "schedules.manage")} symmetric={isKeySpec(key.keySpec) && familyOf(key.keySpec) === "SYMMETRIC"} />}

        <section aria-labelledby="material-heading" className="rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200 lg:col-span-3">
          <h2 id="material-heading" className="mb-3 text-sm font-semibold text-ink-900">
            Key material history
          </h2>
          <MaterialHistory
            href={`/api/keys/${encodeURIComponent(target)}/${encodeURIComponent(region)}/${encodeURIComponent(keyId)}/material`}
          />
        </section>

        <DriftFindings
          keyRef={{ targetId: target, region, keyId }}
          accountName={targetInfo?.name ?? target}
          now={now}
          canAcknowledge={can(session.user.roles, "drift.acknowledge")}
        />

        {can(session.user.roles, "imports.read") && (
          <section aria-labelledby="requests-heading" className="lg:col-span-3">
            <h2 id="requests-heading" className="mb-3 text-sm font-semibold text-ink-900">
              Import requests for this key
            </h2>
            {requests.length ? (
              <RequestsTable rows={requests} targets={targets} now={now} caption="Import requests for this key" showKey={false} />
            ) : (
              <p className="rounded-card border border-dashed border-ink-300 bg-white px-4 py-5 text-sm text-ink-600">No import requests for this key yet.</p>
            )}
          </section>
        )}
      </div>
    </CountdownProvider>
  );
}

function Field({ label, children, mono }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-ink-500">{label}</dt>
      <dd className={`mt-0.5 break-words text-ink-900 ${mono ? "font-mono text-xs" : ""}`}>{children}</dd>
    </div>
  );
}
