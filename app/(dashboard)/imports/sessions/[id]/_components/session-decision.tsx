"use client";

import { useRouter } from "next/navigation";
import { DecisionForm, type OnDecide } from "@/components/imports/decision-panel";
import { decideImportSession } from "../../../../approvals/actions";

/**
 * One decision for every Region of the session. The approver compares each Region's SHA-256 with the
 * custodian's before deciding; the decision names them all, and the server refuses it if any changed.
 */
export function SessionDecision({ sessionId, regions, confirmation }: { sessionId: string; regions: Array<{ requestId: string; region: string; sha256: string }>; confirmation: string }) {
  const router = useRouter();
  const onDecide: OnDecide = async ({ decision, comment, confirmed }) => {
    const result = await decideImportSession({ sessionId, decision, comment, confirmed, blobs: Object.fromEntries(regions.map((r) => [r.requestId, r.sha256])) });
    if (!result.ok) return { ok: false, message: result.message, fieldErrors: result.fieldErrors };
    router.refresh();
    const failed = result.data.regions.filter((r) => r.state === "failed").map((r) => r.region);
    if (decision === "reject") return { ok: true, feedback: { tone: "ok", text: "Rejected in every Region. The custodian sees your comment." } };
    if (failed.length > 0) return { ok: true, feedback: { tone: "error", text: `Approved, but the import failed in ${failed.join(", ")}: retry those Regions from their request pages.` } };
    if (result.data.verified === false) return { ok: true, feedback: { tone: "error", text: "Imported everywhere, but the Regions do not hold the same material: see the verification below." } };
    return { ok: true, feedback: { tone: "ok", text: result.data.verified ? "Approved: imported in every Region, and the Regions hold the same material." : "Approved." } };
  };
  return (
    <div className="space-y-4">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">The blob of each Region under review</caption>
        <thead className="text-xs uppercase tracking-wide text-ink-500">
          <tr>
            <th scope="col" className="py-1 pr-4 font-semibold">Region</th>
            <th scope="col" className="py-1 font-semibold">Blob SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {regions.map((r) => (
            <tr key={r.requestId} className="border-t border-ink-100">
              <td className="py-1.5 pr-4 font-mono text-xs">{r.region}</td>
              <td className="break-all py-1.5 font-mono text-xs">{r.sha256}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <DecisionForm onDecide={onDecide} confirmation={confirmation} approveLabel={`Approve the import in ${regions.length} Regions`} />
    </div>
  );
}
