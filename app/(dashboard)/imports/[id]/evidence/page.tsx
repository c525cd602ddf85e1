import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { Alert } from "@/components/ui/alert";
import { formatDateTime } from "@/components/ui/format";
import { verifyEvidence } from "@/lib/audit/evidence-format";
import { checkpointEvidence } from "@/lib/audit/signing";
import { requirePageSession } from "@/lib/auth/pages";
import { now } from "@/lib/clock";
import { getDb } from "@/lib/db";
import { isKeyportError } from "@/lib/errors";
import { evidenceFor } from "@/lib/imports/evidence";
import { getKey } from "@/lib/inventory";
import { requestTitle } from "@/lib/imports/labels";
import { requestIdSchema } from "@/lib/imports/schemas";
import { EvidenceSteps, EvidenceSummary } from "./_components/evidence-sections";

export const metadata: Metadata = { title: "Evidence record" };

const paramsSchema = z.object({ id: requestIdSchema });

/**
 * A request's evidence record, laid out to print (or save as PDF) and attach to a change ticket, checked
 * here as `audit:verify --evidence` checks the JSON download.
 */
export default async function EvidencePage({ params }: { params: Promise<{ id: string }> }) {
  const session = await requirePageSession("audit.export");
  const parsed = paramsSchema.safeParse(await params);
  if (!parsed.success) notFound();
  const db = await getDb();
  let record;
  try {
    record = await evidenceFor(db, parsed.data.id, { subject: session.user.id, name: session.user.name ?? null }, now());
  } catch (error) {
    if (isKeyportError(error) && error.status === 404) notFound();
    throw error;
  }
  const { publicKey, reason } = await checkpointEvidence();
  const verdict = verifyEvidence(record, publicKey);
  const keyId = record.request.keyArn.split("/").pop() ?? record.request.keyArn;
  const key = await getKey(record.request.targetId, record.request.region, keyId);
  const title = requestTitle(record.request.kind as Parameters<typeof requestTitle>[0], key?.aliases[0] ?? keyId);

  return (
    <article className="space-y-6 print:space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm text-ink-600 print:hidden">
        <Link href={`/imports/${record.request.id}`} className="hover:text-ink-900 hover:underline">
          Request
        </Link>
        <span aria-hidden className="mx-2 text-ink-400">/</span>
        <span className="text-ink-900">Evidence record</span>
      </nav>
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-ink-900">Evidence record: {title}</h1>
          <p className="mt-1 text-sm text-ink-600">
            Request <code className="font-mono text-xs">{record.request.id}</code> · generated {formatDateTime(new Date(record.generatedAt))} by{" "}
            {record.generatedBy.name ?? record.generatedBy.subject}
          </p>
        </div>
        <div className="flex gap-2 print:hidden">
          <a
            href={`/api/imports/${record.request.id}/evidence`}
            className="h-9 rounded-md bg-white px-3 py-2 text-sm font-medium text-ink-800 ring-1 ring-ink-300 hover:bg-ink-50"
          >
            Download JSON
          </a>
        </div>
      </header>
      {verdict.ok && verdict.anchored === "signed" ? (
        <Alert tone="success">
          Checked: {verdict.events} events of the audit chain recompute and link, the steps below are exactly the request&apos;s events, and the
          stretch ends in a checkpoint signed by the audit signing key.
        </Alert>
      ) : verdict.ok ? (
        <Alert tone="warning">
          The {verdict.events} events recompute and link and the steps match them, but{" "}
          {verdict.anchored === "none"
            ? "no signed checkpoint follows the request's last event yet (Keyport signs one within a minute of a request finishing, or sign one now on /audit)"
            : `the checkpoint's signature could not be checked: ${reason ?? "no public key"}`}
          .
        </Alert>
      ) : (
        <Alert tone="danger">
          This record does not check out: {verdict.problems.slice(0, 5).join("; ")}
          {verdict.problems.length > 5 ? ` … and ${verdict.problems.length - 5} more` : ""}. Preserve the database and tell your security team.
        </Alert>
      )}
      <EvidenceSummary record={record} />
      <EvidenceSteps record={record} />
      <section className="text-sm text-ink-700">
        <h2 className="text-sm font-semibold text-ink-900">Check it yourself</h2>
        <p className="mt-1">
          Download the JSON and run{" "}
          <code className="font-mono text-xs">npm run -s audit:verify -- --evidence keyport-evidence-{record.request.id.slice(0, 8)}.json --public-key audit-signing-key.pem</code>{" "}
          (README, &ldquo;Verifying the audit trail offline&rdquo;): no database or network needed.
        </p>
      </section>
    </article>
  );
}
