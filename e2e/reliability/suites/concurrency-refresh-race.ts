/**
 * An import that completes while a full inventory refresh is running. The refresh describes the key before
 * the import and writes what it read after the import re-read the key; the older answer must not replace the
 * newer one, or the keys page says the key still awaits its material (until the next refresh) while KMS
 * holds it.
 */
import { createExternalKeys, dataOf, refreshInventory } from "../journey";
import type { RunContext, SuiteResult } from "../run";
import { awaitingApproval } from "./concurrency-approvals";
import { appUrl, approveArgs, countCalls, fail, isOk, keysPageLists, kmsKeyState, listedKeyIds, resultOf, sleep, type Ledger } from "./concurrency-support";

/** Slow enough that the refresh is still describing other keys when the import has finished. */
const DESCRIBE_LATENCY_MS = 1500;
/** Keys a refresh describes at once (KEYPORT_INVENTORY_CONCURRENCY's default): the key must be among the first. */
const DESCRIBED_AT_ONCE = 16;
/** New keys, so that the Region takes several rounds of slow DescribeKey calls to refresh. */
const FILLER_KEYS = 48;

type Status = { running?: boolean };

async function running(context: RunContext): Promise<boolean> {
  const statuses = await Promise.all(
    context.stack.apps.map(async (app) => (await (await fetch(`${app.url}/api/inventory/status`, { headers: { Cookie: context.people.cora.cookie } })).json()) as Status),
  );
  return statuses.some((s) => s.running);
}

export async function importDuringRefresh(context: RunContext, result: SuiteResult, ledger: Ledger): Promise<string> {
  const { actions, people, stack } = context;
  const fresh = await createExternalKeys(stack, FILLER_KEYS, "reliability concurrency refresh race");
  await refreshInventory(actions, appUrl(context, 0), people.cora);
  // The refresh describes keys in ListKeys order: take the new key it describes first.
  const listed = await listedKeyIds(context);
  const keyId = [...fresh].sort((a, b) => listed.indexOf(a) - listed.indexOf(b))[0]!;
  const position = listed.indexOf(keyId);
  if (position < 0 || position >= DESCRIBED_AT_ONCE) fail(`setup: the key is number ${position + 1} in ListKeys order, not among the first ${DESCRIBED_AT_ONCE} described`);
  const { requestId, sha256 } = await awaitingApproval(context, keyId);

  const problems: string[] = [];
  let imports = 0;
  await stack.admin.setLatency(DESCRIBE_LATENCY_MS, "DescribeKey");
  try {
    dataOf(await actions.call(appUrl(context, 1), people.cora, "refreshInventory", [{}]), "refreshInventory");
    // The refresh's DescribeKey of this key has answered (PendingImport); the rest of the Region is still being described.
    await sleep(DESCRIBE_LATENCY_MS + 500);
    const counted = await countCalls(context, () => actions.call(appUrl(context, 0), people.ana, "decideImportRequest", approveArgs(requestId, sha256)));
    imports = counted.delta("ImportKeyMaterial");
    const answer = resultOf(counted.value);
    if (!isOk(counted.value) || (answer?.data as { state?: string }).state !== "imported") problems.push(`the approval answered ${JSON.stringify(answer).slice(0, 200)}`);
    if (!(await running(context))) problems.push("the refresh had finished before the import was recorded, so nothing raced (make the Region slower to describe)");
    const deadline = Date.now() + 60_000;
    while (await running(context)) {
      if (Date.now() > deadline) fail("the refresh did not finish within 60 s");
      await sleep(250);
    }
  } finally {
    await stack.admin.setLatency(0, "DescribeKey");
  }
  ledger.add(requestId, "import during a refresh", imports);
  if (imports !== 1) problems.push(`${imports} ImportKeyMaterial calls (expected 1)`);

  const kmsState = await kmsKeyState(context, keyId);
  if (kmsState !== "Enabled") problems.push(`KMS says the key is ${kmsState}`);
  for (const [i, app] of stack.apps.entries()) {
    if (!(await keysPageLists(app.url, people.cora, keyId, "Enabled"))) {
      const stale = await keysPageLists(app.url, people.cora, keyId, "PendingImport");
      // The import's own re-read of the key was lost from the cache.
      if (stale) result.lost += 1;
      problems.push(`instance ${i + 1}'s keys page does not list the key as Enabled${stale ? " but as Pending import: the refresh put back what it read before the import" : ""}`);
    }
  }
  if (problems.length) fail(problems.join("; "));
  return `import during a refresh: the key (number ${position + 1} of ${listed.length} in ListKeys order) stays Enabled in the cache after the refresh; 1 ImportKeyMaterial`;
}
