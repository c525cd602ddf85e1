import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { z } from "zod";
import { KeyStateBadge } from "@/components/ui/badge";
import { requirePageSession } from "@/lib/auth/pages";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { importDeps, read } from "@/lib/imports";
import { familyOf, isKeySpec } from "@/lib/imports/compat";
import { requestTitle } from "@/lib/imports/labels";
import { getKey, keyRegions } from "@/lib/inventory";
import { regionRole } from "@/lib/inventory/multi-region";
import { keyParamsSchema } from "@/lib/inventory/schemas";
import { StartImportForm, type SessionRegion } from "./_components/start-import-form";
import { importBlockedBy, rotationBlockedBy } from "@/lib/inventory/key-readiness";

export const metadata: Metadata = { title: "Start an import" };

const searchSchema = z.object({ kind: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.enum(["import", "rotate", "session"]).catch("import")) });

export default async function StartImportPage({
  params,
  searchParams,
}: {
  params: Promise<{ target: string; region: string; keyId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePageSession("imports.request");
  const parsed = keyParamsSchema.safeParse(await params);
  if (!parsed.success) notFound();
  const { target, region, keyId } = parsed.data;
  const key = await getKey(target, region, keyId);
  if (!key) notFound();
  const { kind } = searchSchema.parse(await searchParams);
  const label = key.aliases[0] ?? key.keyId;
  const keyHref = `/keys/${encodeURIComponent(target)}/${encodeURIComponent(region)}/${encodeURIComponent(keyId)}`;
  const targetInfo = getConfig().targets.find((t) => t.id === target);
  const [open] = await read.listImportRequests(await importDeps(), { open: true, key: { targetId: target, region, keyId } });

  const stateBlocks = importBlockedBy(key.keyState);
  const sessionRegions = kind === "session" ? await regionsForSession(key) : [];
  let blocked: ReactNode = null;
  if (kind === "session") {
    if (sessionRegions.length < 2) blocked = <>A multi-Region import needs a multi-Region key with at least two Regions in the inventory. Start an import on this key alone.</>;
    else if (sessionRegions.every((r) => r.blockedBy)) blocked = <>No Region of this key can take key material now: {sessionRegions.map((r) => `${r.region}: ${r.blockedBy}`).join(" ")}</>;
  } else if (open) {
    blocked = (
      <>
        This key already has an open request:{" "}
        <Link href={`/imports/${open.id}`} className="font-medium underline">
          {requestTitle(open.kind, label)}
        </Link>
        . Finish or cancel it before starting another.
      </>
    );
  } else if (!isKeySpec(key.keySpec)) {
    blocked = <>Keyport cannot import key material for key spec {key.keySpec ?? "unknown"}.</>;
  } else if (stateBlocks) {
    blocked = <>{stateBlocks}</>;
  } else if (kind === "rotate" && (familyOf(key.keySpec) !== "SYMMETRIC" || key.keyState !== "Enabled")) {
    blocked = <>Only an enabled symmetric encryption key can rotate to new imported key material.</>;
  } else if (kind === "rotate" && rotationBlockedBy(key)) {
    blocked = <>{rotationBlockedBy(key)}</>;
  }

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-4 text-sm text-ink-600">
        <Link href="/keys" className="hover:text-ink-900 hover:underline">
          Keys
        </Link>
        <span aria-hidden className="mx-2 text-ink-400">/</span>
        <Link href={keyHref} className="hover:text-ink-900 hover:underline">
          {label}
        </Link>
        <span aria-hidden className="mx-2 text-ink-400">/</span>
        <span className="text-ink-900">{kind === "rotate" ? "Rotate" : kind === "session" ? "Import in every Region" : "Import"}</span>
      </nav>
      <div className="mb-6">
        <h1 className="text-2xl font-semibold tracking-tight text-ink-900">{kind === "rotate" ? `Rotate ${label} to new key material` : kind === "session" ? `Import ${label} in several Regions` : `Start an import into ${label}`}</h1>
        <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-ink-600">
          {targetInfo?.name ?? target} <span className="font-mono text-xs">({key.accountId})</span> · {kind === "session" ? `${sessionRegions.length} Regions` : region} ·{" "}
          <span className="font-mono text-xs">{key.keySpec}</span>
          {key.keyState && <KeyStateBadge state={key.keyState} />}
        </p>
      </div>
      <div className="max-w-3xl rounded-card bg-white p-6 shadow-card ring-1 ring-ink-200">
        {blocked || !isKeySpec(key.keySpec) ? (
          <p role="note" className="text-sm text-ink-800">
            {blocked}
          </p>
        ) : (
          <StartImportForm
            keyInfo={{
              targetId: target,
              region,
              keyId,
              label,
              keySpec: key.keySpec,
              keyState: key.keyState ?? "Unknown",
              hasMaterial: key.keyState !== "PendingImport" || !!key.currentKeyMaterialId,
            }}
            kind={kind}
            serverNow={nowMs()}
            regions={sessionRegions}
          />
        )}
      </div>
    </>
  );
}

/** Every Region of a multi-Region key, each with why it cannot take material now (its state, or an open request). */
async function regionsForSession(key: NonNullable<Awaited<ReturnType<typeof getKey>>>): Promise<SessionRegion[]> {
  if (!key.multiRegion) return [];
  const regions = await keyRegions(key);
  const open = await read.openRequestsForKeys(await importDeps(), regions);
  return regions.map((r) => {
    const busy = open.find((o) => o.region === r.region);
    return {
      region: r.region,
      role: regionRole(r),
      keyState: r.keyState,
      hasMaterial: r.keyState !== "PendingImport" || !!r.currentKeyMaterialId,
      blockedBy: busy ? "An open request is in progress in this Region: finish or cancel it first." : importBlockedBy(r.keyState),
    };
  });
}
