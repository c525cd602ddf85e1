/**
 * Many people acting on one key, or on the whole inventory, at once: ten requests started on one key, and
 * refreshes fired from both instances together.
 */
import { auditTrail, createExternalKeys, importInput, type AuditEvent } from "../journey";
import type { RunContext, SuiteResult } from "../run";
import { appUrl, countCalls, countOf, fail, keysPageLists, resultOf, sleep, sortAnswers, stateOf, tally, type Ledger } from "./concurrency-support";

const STARTS = 10;

/**
 * Ten startImportRequest calls on one key at the same moment, Cora and Dale alternating over the instances.
 * A key has one open request at a time, so exactly one is created (with one GetParametersForImport) and nine
 * are told the key is busy.
 */
export async function tenStarts(context: RunContext, result: SuiteResult, ledger: Ledger, keyId: string): Promise<string> {
  const { actions, people } = context;
  const { value: answers, delta } = await countCalls(context, () =>
    Promise.all(
      Array.from({ length: STARTS }, (_, i) =>
        actions.call(appUrl(context, i), i % 4 < 2 ? people.cora : people.dale, "startImportRequest", [importInput(keyId)]),
      ),
    ),
  );
  const sorted = sortAnswers(result, answers, ["key_busy"]);
  const problems: string[] = [];
  for (const unclear of sorted.unclear) problems.push(`unclear answer: ${unclear}`);
  if (sorted.ok.length !== 1) problems.push(`${sorted.ok.length} requests were created (expected 1)`);
  const created = sorted.ok.map((a) => resultOf(a)!.data as { requestId: string; parametersError: unknown });
  const parameters = delta("GetParametersForImport");
  if (parameters !== created.length) problems.push(`${parameters} GetParametersForImport calls for ${created.length} created request(s)`);
  for (const c of created) {
    if (c.parametersError) problems.push(`request ${c.requestId} got no parameters: ${JSON.stringify(c.parametersError)}`);
    ledger.add(c.requestId, "ten starts", 0);
    const state = await stateOf(context, c.requestId);
    if (state !== "parameters_issued") problems.push(`request ${c.requestId} is ${state}, not parameters_issued`);
  }
  const trail = (await auditTrail(appUrl(context, 0), people.aud, `key=${keyId}`)).filter((e) => e.action !== "audit.exported");
  const requested = countOf(trail, "import.requested");
  if (requested !== created.length) {
    problems.push(`${requested} import.requested events for the key, ${created.length} request(s) created`);
    result.lost += Math.abs(requested - created.length);
  }
  if (problems.length) fail(`${problems.join("; ")} (refusals: ${tally(sorted.refused)})`);
  return `ten starts on one key: ${created.length} created, ${tally(sorted.refused)}, ${parameters} GetParametersForImport`;
}

type Status = { running?: boolean; regions?: { targetId: string; region: string; status: string; errorCode: string | null }[] };

async function statusOf(appUrlValue: string, cookie: string): Promise<Status> {
  const response = await fetch(`${appUrlValue}/api/inventory/status`, { headers: { Cookie: cookie } });
  if (!response.ok) throw new Error(`/api/inventory/status: ${response.status}`);
  return (await response.json()) as Status;
}

/**
 * Three new keys, then refreshInventory five times on each instance at once. Every call is answered, the
 * refreshes settle (no Region failed, nothing left running), no refresh failure is audited, and the keys page
 * on each instance lists the new keys.
 */
export async function refreshFromBoth(context: RunContext, result: SuiteResult): Promise<string> {
  const { actions, people, stack } = context;
  const keyIds = await createExternalKeys(stack, 3, "reliability concurrency refresh");
  const since = new Date().toISOString();
  const calls = 5 * stack.apps.length;
  const answers = await Promise.all(
    Array.from({ length: calls }, (_, i) => actions.call(appUrl(context, i), i % 4 < 2 ? people.cora : people.adm, "refreshInventory", [{}])),
  );
  const sorted = sortAnswers(result, answers, []);
  const problems: string[] = [];
  for (const unclear of sorted.unclear) problems.push(`unclear answer: ${unclear}`);
  const started = sorted.ok.filter((a) => (resultOf(a)!.data as { started?: boolean }).started === true).length;

  const deadline = Date.now() + 60_000;
  let statuses: Status[] = [];
  for (;;) {
    statuses = await Promise.all(stack.apps.map((app) => statusOf(app.url, people.cora.cookie)));
    if (statuses.every((s) => !s.running && (s.regions ?? []).every((r) => r.status !== "running"))) break;
    if (Date.now() > deadline) fail(`the inventory still says it is refreshing after 60 s: ${JSON.stringify(statuses).slice(0, 300)}`);
    await sleep(250);
  }
  const failedRegions = statuses.flatMap((s) => (s.regions ?? []).filter((r) => r.status !== "succeeded").map((r) => `${r.targetId}/${r.region} ${r.status} ${r.errorCode ?? ""}`));
  if (failedRegions.length) problems.push(`regions not refreshed: ${[...new Set(failedRegions)].join(", ")}`);

  const refreshFailures = (await auditTrail(appUrl(context, 0), people.aud, "action=inventory.refresh_failed")).filter((e: AuditEvent) => e.at >= since);
  if (refreshFailures.length) problems.push(`${refreshFailures.length} inventory.refresh_failed events: ${JSON.stringify(refreshFailures[0]?.details)}`);

  for (const [i, app] of stack.apps.entries()) {
    for (const keyId of keyIds) {
      if (!(await keysPageLists(app.url, people.cora, keyId, "PendingImport"))) problems.push(`instance ${i + 1}'s keys page does not list the new key ${keyId} (pending import)`);
    }
  }
  if (problems.length) fail(problems.join("; "));
  return `refresh from ${stack.apps.length} instance(s) at once: ${calls} calls, ${started} started a refresh (the others found one running in their process); ${keyIds.length} new keys listed on every instance`;
}
