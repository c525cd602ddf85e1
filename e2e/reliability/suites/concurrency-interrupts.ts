/**
 * Changing a request while it is being approved or imported: new parameters fired at the moment approvals
 * arrive, and cancels sent while ImportKeyMaterial is in flight. Either side may win, but the request, its
 * trail and KMS must end agreeing, and KMS must never be sent a blob with a token it was not wrapped for.
 */
import { requestState } from "../journey";
import type { RunContext, SuiteResult } from "../run";
import { APPROVERS } from "../stack";
import { APPROVAL_REFUSALS, awaitingApproval } from "./concurrency-approvals";
import {
  appUrl,
  approveArgs,
  countCalls,
  countOf,
  detailsOf,
  fail,
  isOk,
  kmsKeyState,
  resultOf,
  sleep,
  sortAnswers,
  tally,
  trailOf,
  type Ledger,
} from "./concurrency-support";

/**
 * Cora asks for new parameters (which discard the upload and its approvals) while the five approvers approve,
 * the approvals `delayMs` after the reissue. Ends either imported once — with the blob wrapped for the
 * parameters then current — or back at parameters_issued with no import; never an import that failed on a
 * stale token or blob.
 */
export async function reissueDuringApproval(
  context: RunContext,
  result: SuiteResult,
  ledger: Ledger,
  keyId: string,
  delayMs: number,
  label: string,
): Promise<"approval" | "reissue"> {
  const { actions, people } = context;
  const { requestId, sha256 } = await awaitingApproval(context, keyId);

  const { value, delta } = await countCalls(context, async () => {
    const reissue = actions.call(appUrl(context, 1), people.cora, "issueImportParameters", [{ requestId }]);
    await sleep(delayMs);
    const approvals = Promise.all(
      APPROVERS.map((approver, i) => actions.call(appUrl(context, i), people[approver], "decideImportRequest", approveArgs(requestId, sha256))),
    );
    return { reissue: await reissue, approvals: await approvals };
  });
  const imports = delta("ImportKeyMaterial");
  ledger.add(requestId, label, imports);

  const problems: string[] = [];
  const reissue = sortAnswers(result, [value.reissue], ["conflict", "invalid_state"]);
  // Once the new parameters are in, the old blob is gone: an approval then finds no blob to approve (invalid_state).
  const approvals = sortAnswers(result, value.approvals, [...APPROVAL_REFUSALS, "blob_changed"]);
  for (const unclear of [...reissue.unclear, ...approvals.unclear]) problems.push(`unclear answer: ${unclear}`);

  const state = await requestState(appUrl(context, 0), people.cora, requestId);
  const events = await trailOf(context, requestId);
  const failed = events.filter((e) => e.action === "import.failed");
  if (failed.length) problems.push(`import.failed: ${failed.map((e) => JSON.stringify(detailsOf(e))).join(" | ")}`);
  const imported = countOf(events, "import.imported");

  let winner: "approval" | "reissue";
  if (state === "imported") {
    winner = "approval";
    if (imports !== 1) problems.push(`imported with ${imports} ImportKeyMaterial calls`);
    if (imported !== 1) problems.push(`imported with ${imported} import.imported events`);
    if (reissue.ok.length) problems.push("the reissue was accepted and the old blob was imported anyway");
    if (approvals.ok.length !== 1) problems.push(`${approvals.ok.length} approvals succeeded (expected 1)`);
    // The blob imported is the one wrapped for the parameters current at the import.
    const beforeImport = events.slice(0, events.findIndex((e) => e.action === "import.imported"));
    const parameters = detailsOf(beforeImport.filter((e) => e.action === "import.parameters_issued").at(-1)).parameterSetId;
    const uploaded = detailsOf(beforeImport.filter((e) => e.action === "import.uploaded").at(-1)).parameterSetId;
    if (!parameters || parameters !== uploaded) problems.push(`the imported blob was wrapped for parameters ${String(uploaded)}, current were ${String(parameters)}`);
  } else if (state === "parameters_issued") {
    winner = "reissue";
    if (imports !== 0) problems.push(`back at parameters_issued after ${imports} ImportKeyMaterial calls`);
    if (imported !== 0) problems.push(`back at parameters_issued with ${imported} import.imported events`);
    if (reissue.ok.length !== 1) problems.push("parameters_issued again, but the reissue was not accepted");
    if (approvals.ok.length) problems.push(`${approvals.ok.length} approvals succeeded on a blob the reissue discarded`);
    if (countOf(events, "import.parameters_issued") !== 2) problems.push(`${countOf(events, "import.parameters_issued")} import.parameters_issued events (expected 2)`);
  } else {
    return fail(`${label}: the request ended "${state}" (expected imported or parameters_issued); ${problems.join("; ")}`);
  }
  result.lost += Math.max(0, imported - 1) + Math.max(0, imports - 1);
  if (problems.length) {
    fail(`${label} (${winner} first): ${problems.join("; ")} (reissue: ${tally(reissue.refused)}; approvals: ${tally(approvals.refused)})`);
  }
  return winner;
}

const IMPORT_LATENCY_MS = 1500;

/**
 * ImportKeyMaterial is slowed down; an approval starts the import, and Cora cancels (twice on each instance)
 * while it is in flight. A request being imported cannot be cancelled, so the cancels are refused clearly;
 * whichever way it ends, KMS and the request agree and KMS saw one ImportKeyMaterial.
 */
export async function cancelDuringImport(context: RunContext, result: SuiteResult, ledger: Ledger, keyId: string): Promise<string> {
  const { actions, people, stack } = context;
  const { requestId, sha256 } = await awaitingApproval(context, keyId);
  let sawImporting = false;
  await stack.admin.setLatency(IMPORT_LATENCY_MS, "ImportKeyMaterial");
  let outcome;
  try {
    outcome = await countCalls(context, async () => {
      const approval = actions.call(appUrl(context, 0), people.ana, "decideImportRequest", approveArgs(requestId, sha256));
      const deadline = Date.now() + IMPORT_LATENCY_MS;
      while (!sawImporting && Date.now() < deadline) {
        sawImporting = (await requestState(appUrl(context, 1), people.cora, requestId)) === "importing";
      }
      const cancel = (i: number) => actions.call(appUrl(context, i), people.cora, "cancelImportRequest", [{ requestId, reason: "Cancelled while importing." }]);
      const first = await Promise.all([cancel(0), cancel(1)]);
      await sleep(300);
      const second = await Promise.all([cancel(0), cancel(1)]);
      return { approval: await approval, cancels: [...first, ...second] };
    });
  } finally {
    await stack.admin.setLatency(0, "ImportKeyMaterial");
  }
  const imports = outcome.delta("ImportKeyMaterial");
  ledger.add(requestId, "cancel during import", imports);

  const problems: string[] = [];
  if (!sawImporting) problems.push(`the request was never seen importing within ${IMPORT_LATENCY_MS} ms, so nothing was cancelled mid-import`);
  const cancels = sortAnswers(result, outcome.value.cancels, ["invalid_state", "conflict"]);
  for (const unclear of cancels.unclear) problems.push(`unclear cancel answer: ${unclear}`);
  const state = await requestState(appUrl(context, 1), people.cora, requestId);
  const kmsState = await kmsKeyState(context, keyId);
  const events = await trailOf(context, requestId);
  if (imports !== 1) problems.push(`${imports} ImportKeyMaterial calls (expected 1)`);
  // KMS holds the material exactly when Keyport says the request imported it.
  if ((state === "imported") !== (kmsState === "Enabled")) problems.push(`the request is ${state} but KMS says the key is ${kmsState}`);
  if (state === "imported" && cancels.ok.length) problems.push(`${cancels.ok.length} cancels were accepted on a request that then imported`);
  if (state === "imported" && !isOk(outcome.value.approval)) problems.push(`the approval answered ${JSON.stringify(resultOf(outcome.value.approval)).slice(0, 200)}`);
  if (state !== "imported" && state !== "cancelled") problems.push(`the request ended ${state}`);
  const imported = countOf(events, "import.imported");
  const cancelled = countOf(events, "import.cancelled");
  if (imported !== (state === "imported" ? 1 : 0)) problems.push(`${imported} import.imported events`);
  if (cancelled !== (state === "cancelled" ? 1 : 0)) problems.push(`${cancelled} import.cancelled events`);
  result.lost += Math.abs(imported - (state === "imported" ? 1 : 0)) + Math.abs(cancelled - (state === "cancelled" ? 1 : 0));
  if (problems.length) fail(problems.join("; "));
  return `cancel during import: request ${state}, KMS ${kmsState}, cancels ${tally(cancels.refused)}${cancels.ok.length ? `, ${cancels.ok.length} accepted` : ""}, ${imports} ImportKeyMaterial`;
}
