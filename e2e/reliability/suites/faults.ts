import {
  approve,
  auditTrail,
  createExternalKeys,
  dataOf,
  importInput,
  kmsView,
  refreshInventory,
  requestState,
  startImport,
  uploadMaterial,
  verifyAudit,
  TARGET,
  REGION,
} from "../journey";
import { newResult, runCase, type RunContext, type SuiteResult } from "../run";
import { killMidCall } from "./faults-kill";

/**
 * Faults: AWS answering with throttling, timeouts and internal errors, slow answers, STS refusing the role,
 * the emulator stopped mid-run, and an app instance killed between a KMS call and its commit. Each case ends
 * in success after a retry, or in a state a person can continue from — and then the import is done exactly
 * once in KMS, nothing stays `importing`, and the audit chain verifies.
 */

type Decision = { state: string; execution: { ok: boolean; code?: string; message?: string } | null };

export async function faultsSuite(context: RunContext): Promise<SuiteResult> {
  const result = newResult("faults");
  const { stack, actions, people, say } = context;
  const app = stack.apps[0]!;
  const other = stack.apps.at(-1)!;
  const keys = await createExternalKeys(stack, 14, "faults suite");
  await refreshInventory(actions, app.url, people.cora);
  const take = () => keys.shift()!;
  const driven: string[] = [];

  const readyForApproval = async (keyId: string) => {
    const requestId = await startImport(actions, app.url, people.cora, keyId);
    driven.push(requestId);
    return { requestId, sha: await uploadMaterial(actions, app.url, people.cora, requestId) };
  };

  /** The import happened once: KMS holds one material for the key, the trail one import.imported. */
  const importedOnce = async (keyId: string, requestId: string) => {
    const view = await kmsView(stack, keyId);
    if (view.keyState !== "Enabled" || view.materials.length !== 1) {
      result.lost += 1;
      throw new Error(`KMS holds ${view.materials.length} material(s) in state ${view.keyState} for ${keyId}, not one`);
    }
    const events = (await auditTrail(app.url, people.aud, `request=${requestId}`)).filter((e) => e.action === "import.imported");
    if (events.length !== 1) {
      result.lost += 1;
      throw new Error(`the trail has ${events.length} import.imported events for ${requestId}`);
    }
  };

  const retry = async (requestId: string, url = other.url) => {
    const answer = await actions.call(url, people.ben, "retryImportRequest", [{ requestId }]);
    const execution = dataOf<{ ok: boolean; code?: string; message?: string }>(answer, "retryImportRequest");
    if (!execution.ok) throw new Error(`the retry failed: ${execution.code}: ${execution.message}`);
  };

  const failedClearly = (decision: Decision, code: string) => {
    if (decision.state !== "failed" || decision.execution?.ok !== false) throw new Error(`expected a failed import, got ${JSON.stringify(decision)}`);
    if (decision.execution.code !== code) throw new Error(`expected ${code}, got ${decision.execution.code}: ${decision.execution.message}`);
    if (!decision.execution.message || decision.execution.message.length < 20) throw new Error(`no sentence for the person: ${decision.execution.message}`);
  };

  const scenario = (name: string, body: () => Promise<void>) =>
    runCase(result, name, async () => {
      say(`faults: ${name}`);
      try {
        await body();
      } finally {
        await stack.startEmulator();
        await stack.admin.reset();
      }
      const chain = await verifyAudit(actions, app.url, people.aud);
      if (!chain.ok) throw new Error(`the audit chain does not verify afterwards: ${chain.detail}`);
    });

  await scenario("ThrottlingException on GetParametersForImport: four starts at once still get parameters", async () => {
    const four = [take(), take(), take(), take()];
    await stack.admin.throttle("GetParametersForImport", 1);
    const outcomes = await Promise.all(
      four.map(async (keyId, i) => dataOf<{ requestId: string; parametersError: { code: string } | null }>(
        await actions.call(stack.apps[i % stack.apps.length]!.url, people.cora, "startImportRequest", [importInput(keyId)]),
        "startImportRequest",
      )),
    );
    await stack.admin.throttle("GetParametersForImport", null);
    for (const outcome of outcomes) {
      driven.push(outcome.requestId);
      if (outcome.parametersError) {
        // Throttled past the SDK's retries: the person asks again from the request page.
        if (outcome.parametersError.code !== "throttled") throw new Error(`expected throttled, got ${outcome.parametersError.code}`);
        dataOf(await actions.call(app.url, people.cora, "issueImportParameters", [{ requestId: outcome.requestId }]), "issueImportParameters");
      }
      const state = await requestState(app.url, people.cora, outcome.requestId);
      if (state !== "parameters_issued") throw new Error(`request ${outcome.requestId} is ${state}`);
    }
    // They stay open: cancel them so no key is left with a request in flight.
    for (const outcome of outcomes) {
      dataOf(await actions.call(app.url, people.cora, "cancelImportRequest", [{ requestId: outcome.requestId, reason: "faults suite" }]), "cancelImportRequest");
    }
  });

  let importedKey = "";
  await scenario("DependencyTimeoutException on ImportKeyMaterial: failed, then a retry imports once", async () => {
    const keyId = take();
    const { requestId, sha } = await readyForApproval(keyId);
    await stack.admin.injectFaults({ type: "DependencyTimeoutException", rate: 1, operation: "ImportKeyMaterial" });
    failedClearly(dataOf<Decision>(await approve(actions, app.url, people.ana, requestId, sha), "approve"), "dependency_timeout");
    await stack.admin.injectFaults({ type: "DependencyTimeoutException", rate: 0, operation: "ImportKeyMaterial" });
    await retry(requestId);
    await importedOnce(keyId, requestId);
    importedKey = keyId;
  });

  await scenario("KMSInternalException on GetParametersForImport: a draft, then new parameters and the import", async () => {
    const keyId = take();
    await stack.admin.injectFaults({ type: "KMSInternalException", rate: 1, operation: "GetParametersForImport" });
    const outcome = dataOf<{ requestId: string; parametersError: { code: string; message: string } | null }>(
      await actions.call(app.url, people.cora, "startImportRequest", [importInput(keyId)]),
      "startImportRequest",
    );
    driven.push(outcome.requestId);
    if (outcome.parametersError?.code !== "kms_internal") throw new Error(`expected kms_internal, got ${JSON.stringify(outcome.parametersError)}`);
    await stack.admin.injectFaults({ type: "KMSInternalException", rate: 0, operation: "GetParametersForImport" });
    dataOf(await actions.call(other.url, people.cora, "issueImportParameters", [{ requestId: outcome.requestId }]), "issueImportParameters");
    const sha = await uploadMaterial(actions, app.url, people.cora, outcome.requestId);
    const decision = dataOf<Decision>(await approve(actions, other.url, people.ana, outcome.requestId, sha), "approve");
    if (decision.state !== "imported") throw new Error(`the import ended ${decision.state}`);
    await importedOnce(keyId, outcome.requestId);
  });

  await scenario("latency spikes of 2.5 s on GetParametersForImport and ImportKeyMaterial: slower, not broken", async () => {
    const keyId = take();
    await stack.admin.setLatency(2_500, "GetParametersForImport");
    await stack.admin.setLatency(2_500, "ImportKeyMaterial");
    const { requestId, sha } = await readyForApproval(keyId);
    const decision = dataOf<Decision>(await approve(actions, other.url, people.ana, requestId, sha), "approve");
    if (decision.state !== "imported") throw new Error(`the import ended ${decision.state}: ${JSON.stringify(decision.execution)}`);
    await importedOnce(keyId, requestId);
  });

  await scenario("STS refuses AssumeRole: a clear refusal, then parameters once the role works again", async () => {
    const keyId = take();
    await stack.admin.injectFaults({ type: "AccessDenied", rate: 1, operation: "AssumeRole" });
    // A fresh process holds no assumed-role credentials, so its next KMS call needs AssumeRole.
    await app.stop("SIGTERM");
    await app.start();
    const answer = await actions.call(app.url, people.cora, "startImportRequest", [importInput(keyId)]);
    const outcome = answer.result as { ok: boolean; code?: string; data?: { requestId: string; parametersError: { code: string } | null } };
    await stack.admin.injectFaults({ type: "AccessDenied", rate: 0, operation: "AssumeRole" });
    if (outcome.ok && outcome.data) {
      driven.push(outcome.data.requestId);
      if (outcome.data.parametersError?.code !== "access_denied") throw new Error(`expected access_denied, got ${JSON.stringify(outcome.data.parametersError)}`);
      dataOf(await actions.call(app.url, people.cora, "issueImportParameters", [{ requestId: outcome.data.requestId }]), "issueImportParameters");
      const state = await requestState(app.url, people.cora, outcome.data.requestId);
      if (state !== "parameters_issued") throw new Error(`after the role works again the request is ${state}`);
      dataOf(await actions.call(app.url, people.cora, "cancelImportRequest", [{ requestId: outcome.data.requestId }]), "cancelImportRequest");
    } else if (outcome.code !== "access_denied") {
      throw new Error(`expected access_denied, got ${JSON.stringify(outcome)}`);
    }
  });

  await scenario("the emulator stopped before the approval: failed, then a retry imports once it is back", async () => {
    const keyId = take();
    const { requestId, sha } = await readyForApproval(keyId);
    await stack.stopEmulator();
    const decision = dataOf<Decision>(await approve(actions, app.url, people.ana, requestId, sha), "approve");
    if (decision.state !== "failed" || decision.execution?.ok !== false) throw new Error(`expected a failed import, got ${JSON.stringify(decision)}`);
    await stack.startEmulator();
    await retry(requestId);
    await importedOnce(keyId, requestId);
  });

  await scenario("ImportKeyMaterial applied but its answer lost: the retry completes from KMS, no second import", async () => {
    const keyId = take();
    const { requestId, sha } = await readyForApproval(keyId);
    await stack.admin.injectFaults({ type: "DependencyTimeoutException", rate: 1, operation: "ImportKeyMaterial", when: "after" });
    failedClearly(dataOf<Decision>(await approve(actions, app.url, people.ana, requestId, sha), "approve"), "dependency_timeout");
    await stack.admin.injectFaults({ type: "DependencyTimeoutException", rate: 0, operation: "ImportKeyMaterial", when: "after" });
    await retry(requestId);
    await importedOnce(keyId, requestId);
    const event = (await auditTrail(app.url, people.aud, `request=${requestId}`)).find((e) => e.action === "import.imported");
    if ((event?.details as { recoveredFromKms?: boolean } | undefined)?.recoveredFromKms !== true) throw new Error("the trail does not say the import was found in KMS");
  });

  await killMidCall(context, result, scenario, { take, readyForApproval, importedOnce, retry, importedKey: () => importedKey, driven });

  await scenario("nothing the suite drove is left importing", async () => {
    for (const requestId of driven) {
      const state = await requestState(app.url, people.aud, requestId);
      if (state === "importing") throw new Error(`request ${requestId} is still importing`);
    }
  });
  result.notes.push(`${driven.length} requests driven on ${TARGET.id} ${REGION}; interrupted imports are recovered by the sweep after 30 s`);
  return result;
}

