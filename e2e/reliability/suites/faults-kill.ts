import { approve, auditTrail, dataOf, importInput, kmsView, requestState, uploadMaterial, waitForState } from "../journey";
import type { RunContext, SuiteResult } from "../run";
import type { AppInstance } from "../stack";

/**
 * An app instance killed (SIGKILL) between a KMS call and the database commit that records it, for
 * parameters, import, rotation and deletion. The emulator carries each call out and then holds its answer
 * (latency "after"), so the kill lands in exactly that window. Once the instance is back, and the sweep has
 * marked what it left `importing` as interrupted, a person continues: new parameters, or a retry that asks
 * KMS first and so does not import or rotate twice.
 */

type Scenario = (name: string, body: () => Promise<void>) => Promise<void>;
type Helpers = {
  take(): string;
  readyForApproval(keyId: string): Promise<{ requestId: string; sha: string }>;
  importedOnce(keyId: string, requestId: string): Promise<void>;
  retry(requestId: string, url?: string): Promise<void>;
  /** A key imported earlier in the suite (enabled, one material). */
  importedKey(): string;
  driven: string[];
};

const HOLD_MS = 6_000;
/** KEYPORT_INTERRUPTED_AFTER_SECONDS (30) plus a sweep interval (10 s) plus slack. */
const SWEEP_WAIT_MS = 75_000;

async function waitForCalls(context: RunContext, operations: string[], before: Record<string, number>): Promise<void> {
  const deadline = Date.now() + HOLD_MS - 1_000;
  while (Date.now() < deadline) {
    const counts = await context.stack.admin.getCallCounts();
    if (operations.every((op) => (counts[op] ?? 0) > (before[op] ?? 0))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the calls ${operations.join(", ")} did not reach KMS before the kill`);
}

/** Kills `app` once every operation has reached KMS, and starts it again; the held answers go nowhere. */
async function killDuring(context: RunContext, app: AppInstance, operations: string[], start: () => void): Promise<void> {
  const before = await context.stack.admin.getCallCounts();
  for (const op of operations) await context.stack.admin.setLatency(HOLD_MS, op, "after");
  start();
  await waitForCalls(context, operations, before);
  await app.stop("SIGKILL");
  for (const op of operations) await context.stack.admin.setLatency(0, op, "after");
  await app.start();
}

export async function killMidCall(context: RunContext, result: SuiteResult, scenario: Scenario, helpers: Helpers): Promise<void> {
  const { stack, actions, people } = context;
  const app = stack.apps[0]!;

  await scenario("instance killed after GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial reached KMS", async () => {
    const paramsKey = helpers.take();
    const importKey = helpers.take();
    const deleteKey = helpers.importedKey();
    if (!deleteKey) throw new Error("no key was imported earlier in the suite to delete material from");
    const toImport = await helpers.readyForApproval(importKey);
    const deletion = dataOf<{ requestId: string }>(
      await actions.call(app.url, people.cora, "requestKeyMaterialDeletion", [
        { target: "payments-production", region: "eu-west-1", keyId: deleteKey, justification: "Reliability run: delete this key's material." },
      ]),
      "requestKeyMaterialDeletion",
    );
    helpers.driven.push(deletion.requestId);
    const deletionBlob = "none";

    // Unanswered on purpose: the instance dies before it can answer.
    const ignore = () => undefined;
    await killDuring(context, app, ["GetParametersForImport", "ImportKeyMaterial", "DeleteImportedKeyMaterial"], () => {
      actions.call(app.url, people.cora, "startImportRequest", [importInput(paramsKey)]).catch(ignore);
      approve(actions, app.url, people.ana, toImport.requestId, toImport.sha).catch(ignore);
      approve(actions, app.url, people.ana, deletion.requestId, deletionBlob).catch(ignore);
    });

    // Parameters: whatever was recorded, the custodian can go on from it.
    const started = (await auditTrail(app.url, people.aud, `key=${paramsKey}`)).find((e) => e.action === "import.requested");
    if (started?.requestId) {
      helpers.driven.push(started.requestId);
      const state = await requestState(app.url, people.cora, started.requestId);
      if (!["draft", "parameters_issued"].includes(state)) throw new Error(`the interrupted start left its request ${state}`);
      dataOf(await actions.call(app.url, people.cora, "issueImportParameters", [{ requestId: started.requestId }]), "issueImportParameters");
      if ((await requestState(app.url, people.cora, started.requestId)) !== "parameters_issued") throw new Error("new parameters were not issued");
      dataOf(await actions.call(app.url, people.cora, "cancelImportRequest", [{ requestId: started.requestId }]), "cancelImportRequest");
    } else {
      const outcome = dataOf<{ requestId: string; parametersError: unknown }>(
        await actions.call(app.url, people.cora, "startImportRequest", [importInput(paramsKey)]),
        "startImportRequest after the kill",
      );
      helpers.driven.push(outcome.requestId);
    }

    // Import and deletion: `importing` until the sweep, then failed (interrupted), then a retry completes them.
    for (const { requestId } of [toImport, deletion]) {
      const state = await waitForState(app.url, people.aud, requestId, ["failed", "imported"], SWEEP_WAIT_MS);
      if (state === "failed") await helpers.retry(requestId);
    }
    await helpers.importedOnce(importKey, toImport.requestId);
    const deleted = await kmsView(stack, deleteKey);
    if (deleted.keyState !== "PendingImport") throw new Error(`after the deletion the key is ${deleted.keyState}`);
    const deletions = (await auditTrail(app.url, people.aud, `request=${deletion.requestId}`)).filter((e) => e.action === "material.deleted");
    if (deletions.length !== 1) {
      result.lost += 1;
      throw new Error(`the trail has ${deletions.length} material.deleted events for the deletion`);
    }
  });

  await scenario("instance killed after RotateKeyOnDemand reached KMS: the retry does not rotate twice", async () => {
    const keyId = helpers.take();
    const first = await helpers.readyForApproval(keyId);
    dataOf(await approve(actions, app.url, people.ana, first.requestId, first.sha), "approve the first import");
    const start = dataOf<{ requestId: string }>(
      await actions.call(app.url, people.cora, "startImportRequest", [importInput(keyId, { kind: "rotate", justification: "Reliability run: rotate to new material." })]),
      "start the rotation",
    );
    helpers.driven.push(start.requestId);
    const sha = await uploadMaterial(actions, app.url, people.cora, start.requestId);
    await killDuring(context, app, ["RotateKeyOnDemand"], () => {
      approve(actions, app.url, people.ana, start.requestId, sha).catch(() => undefined);
    });
    const state = await waitForState(app.url, people.aud, start.requestId, ["failed", "imported"], SWEEP_WAIT_MS);
    if (state === "failed") await helpers.retry(start.requestId);
    const view = await kmsView(stack, keyId);
    const current = view.materials.filter((m) => m.state === "CURRENT");
    const pending = view.materials.filter((m) => m.state.startsWith("PENDING"));
    if (view.materials.length !== 2 || current.length !== 1 || pending.length !== 0) {
      result.lost += 1;
      throw new Error(`after the rotation KMS holds ${JSON.stringify(view.materials)}`);
    }
    const rotated = (await auditTrail(app.url, people.aud, `request=${start.requestId}`)).filter((e) => e.action === "material.rotated");
    if (rotated.length !== 1) {
      result.lost += 1;
      throw new Error(`the trail has ${rotated.length} material.rotated events for the rotation`);
    }
  });
}
