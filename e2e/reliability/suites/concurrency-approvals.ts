/**
 * Dual control under load, and two custodians uploading at once: many people acting on one request at the
 * same moment, spread over the app instances. Whatever the interleaving, one request imports once, its trail
 * holds exactly the approvals that counted, and everyone else gets a refusal they can act on.
 */
import { randomInt } from "node:crypto";
import { APPROVERS } from "../stack";
import { requestState, startImport, uploadMaterial } from "../journey";
import type { RunContext, SuiteResult } from "../run";
import {
  appUrl,
  approveArgs,
  countCalls,
  countOf,
  detailsOf,
  fail,
  resultOf,
  sortAnswers,
  tally,
  trailOf,
  actorOf,
  wrapFor,
  type Ledger,
} from "./concurrency-support";

/** What a loser of an approval race may be told: the request moved on, they already approved, or it changed under them. */
export const APPROVAL_REFUSALS = ["invalid_state", "already_decided", "conflict"] as const;

const CLICKS_PER_APPROVER = 10;

export type RoundFigures = { approvals: number; imports: number; refusals: Map<string, number>; overlapMs: number };

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * One round: a fresh request awaiting approval, then every approver clicks Approve ten times at once (50
 * calls, alternating instances). Exactly `quorum` calls succeed (each approver's first counts once, the one
 * completing the quorum imports), the rest are refused clearly, KMS sees one ImportKeyMaterial.
 */
export async function dualControlRound(
  context: RunContext,
  result: SuiteResult,
  ledger: Ledger,
  keyId: string,
  quorum: number,
  label: string,
): Promise<RoundFigures> {
  const { actions, people } = context;
  const requestId = await startImport(actions, appUrl(context, 0), people.cora, keyId);
  const sha = await uploadMaterial(actions, appUrl(context, 1), people.cora, requestId);

  // Each approver's ten clicks in a random order among the others', alternating instances by position.
  const clicks = shuffled(APPROVERS.flatMap((approver) => Array.from({ length: CLICKS_PER_APPROVER }, () => approver)));
  const calls = clicks.length;
  const { value: timed, delta } = await countCalls(context, () =>
    Promise.all(
      clicks.map(async (approver, i) => {
        const sent = Date.now();
        const answer = await actions.call(appUrl(context, i), people[approver], "decideImportRequest", approveArgs(requestId, sha));
        return { answer, sent, answered: Date.now() };
      }),
    ),
  );
  const answers = timed.map((t) => t.answer);
  // Positive when every call was sent before any was answered: all of them were in flight together.
  const overlapMs = Math.min(...timed.map((t) => t.answered)) - Math.max(...timed.map((t) => t.sent));
  const imports = delta("ImportKeyMaterial");
  ledger.add(requestId, label, imports);

  const problems: string[] = [];
  const sorted = sortAnswers(result, answers, APPROVAL_REFUSALS);
  if (imports !== 1) problems.push(`${imports} ImportKeyMaterial calls (expected 1)`);
  if (sorted.unclear.length) problems.push(`${sorted.unclear.length} unclear answers, e.g. ${sorted.unclear[0]}`);
  if (sorted.ok.length !== quorum) problems.push(`${sorted.ok.length} approvals succeeded (expected ${quorum})`);
  const successes = sorted.ok.map((a) => resultOf(a)!.data as { state?: string; approvals?: number; execution?: { ok?: boolean } | null });
  const completing = successes.filter((d) => d.state === "imported" && d.execution?.ok === true);
  if (completing.length !== 1) problems.push(`${completing.length} successful calls carried out the import (expected 1): ${JSON.stringify(successes).slice(0, 300)}`);

  const state = await requestState(appUrl(context, 1), people.cora, requestId);
  if (state !== "imported") problems.push(`the request ended "${state}", not imported`);

  const events = await trailOf(context, requestId);
  const imported = countOf(events, "import.imported");
  const approved = countOf(events, "import.approved");
  const approvers = new Set(events.filter((e) => e.action === "import.approved").map((e) => actorOf(e)));
  if (imported !== 1) problems.push(`${imported} import.imported events (expected 1)`);
  if (approved !== quorum) problems.push(`${approved} import.approved events (expected ${quorum})`);
  if (approvers.size !== approved) problems.push(`the ${approved} import.approved events come from ${approvers.size} people`);
  const quorumEvents = events.filter((e) => e.action === "import.approved" && detailsOf(e).quorumReached === true).length;
  if (quorumEvents !== 1) problems.push(`${quorumEvents} approvals say they reached the quorum (expected 1)`);
  result.lost += Math.abs(imported - 1) + Math.abs(approved - quorum) + Math.max(0, imports - 1);

  if (problems.length) fail(`${label}: ${problems.join("; ")} (refusals: ${tally(sorted.refused)})`);
  return { approvals: calls, imports, refusals: sorted.refused, overlapMs };
}

/**
 * Cora and Dale upload different blobs to one request at the same moment, on different instances. The
 * request keeps exactly one of them; an approval naming the other is refused; approving the kept one imports
 * once.
 */
export async function twoUploads(context: RunContext, result: SuiteResult, ledger: Ledger, keyId: string): Promise<string> {
  const { actions, people } = context;
  const requestId = await startImport(actions, appUrl(context, 0), people.cora, keyId);
  const [a, b] = await Promise.all([wrapFor(appUrl(context, 0), people.cora, requestId), wrapFor(appUrl(context, 1), people.dale, requestId)]);
  const answers = await Promise.all([
    actions.call(appUrl(context, 0), people.cora, "uploadWrappedKeyMaterial", [{ requestId, file: a.file }]),
    actions.call(appUrl(context, 1), people.dale, "uploadWrappedKeyMaterial", [{ requestId, file: b.file }]),
  ]);
  // The loser either finds the request changed under it (conflict) or, when the two ran one after the other,
  // replaces the first upload — both are what a person may see.
  const sorted = sortAnswers(result, answers, ["conflict"]);
  const problems: string[] = [];
  if (sorted.unclear.length) problems.push(`unclear answers: ${sorted.unclear.join(" | ")}`);
  if (sorted.ok.length === 0) problems.push("neither upload was accepted");

  const uploaded = (await trailOf(context, requestId)).filter((e) => e.action === "import.uploaded");
  if (uploaded.length !== sorted.ok.length) {
    problems.push(`${sorted.ok.length} uploads accepted but ${uploaded.length} import.uploaded events`);
    result.lost += Math.abs(uploaded.length - sorted.ok.length);
  }
  const kept = String(detailsOf(uploaded.at(-1)).sha256 ?? "");
  if (kept !== a.sha256 && kept !== b.sha256) fail(`the request keeps a blob of neither upload (${kept || "none"}): ${problems.join("; ")}`);
  const other = kept === a.sha256 ? b.sha256 : a.sha256;
  if (uploaded.length === 2 && detailsOf(uploaded[1]).replacedSha256 !== other) problems.push("the second upload does not say it replaced the first");

  const page = await (await fetch(`${appUrl(context, 1)}/imports/${requestId}`, { headers: { Cookie: people.ana.cookie } })).text();
  if (!page.includes(kept)) problems.push("the request page does not show the kept blob's SHA-256");
  if (sorted.ok.length === 1 && page.includes(other)) problems.push("the request page shows the refused upload's SHA-256");

  const { value: decisions, delta } = await countCalls(context, async () => {
    const stale = await actions.call(appUrl(context, 0), people.ana, "decideImportRequest", approveArgs(requestId, other));
    const right = await actions.call(appUrl(context, 1), people.ben, "decideImportRequest", approveArgs(requestId, kept));
    return { stale, right };
  });
  const imports = delta("ImportKeyMaterial");
  ledger.add(requestId, "two uploads", imports);
  if (resultOf(decisions.stale)?.code !== "blob_changed") problems.push(`approving the other blob was answered ${JSON.stringify(decisions.stale.result).slice(0, 200)}`);
  const right = resultOf(decisions.right);
  if (!right?.ok || (right.data as { state?: string }).state !== "imported") problems.push(`approving the kept blob: ${JSON.stringify(right).slice(0, 200)}`);
  if (imports !== 1) problems.push(`${imports} ImportKeyMaterial calls (expected 1)`);
  const events = await trailOf(context, requestId);
  if (countOf(events, "import.approved") !== 1) problems.push(`${countOf(events, "import.approved")} import.approved events (expected 1)`);
  if (problems.length) fail(problems.join("; "));
  return `two uploads at once: ${sorted.ok.length} accepted, refusals: ${tally(sorted.refused)}; the stale approval refused, 1 ImportKeyMaterial`;
}

/** Uploads fresh material to a new request and returns both, for cases that need one awaiting approval. */
export async function awaitingApproval(context: RunContext, keyId: string): Promise<{ requestId: string; sha256: string }> {
  const { actions, people } = context;
  const requestId = await startImport(actions, appUrl(context, 0), people.cora, keyId);
  return { requestId, sha256: await uploadMaterial(actions, appUrl(context, 0), people.cora, requestId) };
}
