/**
 * The rows of the reliability findings table, each as a case: a stranger's large bodies are refused from
 * their headers without the server growing; the health probe tells a stranger only ok / not ok; and key
 * pages viewed over and over cost KMS a handful of ListKeyRotations, not one per view.
 */
import { actionId, rawRequest } from "./hostile-http";
import type { Fixtures } from "./hostile-corpus";
import { runCase, type RunContext, type SuiteResult } from "../run";
import { REGION, TARGET } from "../journey";
import type { AppInstance } from "../stack";

const MB = 1024 * 1024;

export async function findingsRows(
  context: RunContext,
  result: SuiteResult,
  fx: Fixtures,
  /** An instance's RSS after a full garbage collection (hostile-memory.ts). */
  measure: (app: AppInstance) => Promise<number>,
): Promise<void> {
  const { stack, people } = context;
  const refresh = actionId("refreshInventory");

  for (const app of stack.apps) {
    await runCase(result, `findings: 10 concurrent 10 MB POSTs with Next-Action and no cookie to ${app.name}: refused, memory not grown`, async () => {
      const big = (chunked: boolean) =>
        rawRequest(app.url, { method: "POST", path: "/keys", fillBytes: 10 * MB, chunked, headers: { "Next-Action": refresh, "Content-Type": "text/plain;charset=UTF-8" } });
      const burst = () => Promise.all([...Array.from({ length: 8 }, () => big(false)), big(true), big(true)]);
      // One burst first: ten sockets at once grow the allocator's pools the first time, which is no growth
      // per request; the second burst shows whether anything stays behind.
      await burst();
      const before = await measure(app);
      const answers = await burst();
      const after = await measure(app);
      const statuses = answers.map((a) => a.status);
      const bad = answers.filter((a) => ![411, 413].includes(a.status) || a.headers["x-content-type-options"] !== "nosniff");
      if (bad.length) throw new Error(`not all refused from the headers: statuses ${statuses.join(",")}`);
      const slow = Math.max(...answers.map((a) => a.ms));
      if (slow > 5000) throw new Error(`a refusal took ${slow} ms: the body was read before refusing`);
      result.notes.push(
        `${app.name}: 10 × 10 MB signed-out posts refused (${[...new Set(statuses)].join("/")}) in ≤ ${slow} ms; RSS after collection ${kb(before)} → ${kb(after)} (${signed(after - before)} kB)`,
      );
      if (after - before > 8 * 1024) throw new Error(`RSS grew by ${after - before} kB (from ${before} kB)`);
    });
  }

  await runCase(result, "findings: /api/health without sign-in shows only ok / not ok (no version strings)", async () => {
    for (const app of stack.apps) {
      const answer = await rawRequest(app.url, { path: "/api/health" });
      if (answer.status !== 200 && answer.status !== 503) throw new Error(`${app.name} answered ${answer.status}`);
      if (JSON.stringify(answer.json) !== JSON.stringify({ ok: answer.status === 200 })) throw new Error(`${app.name} says ${answer.text.slice(0, 200)}`);
      if (answer.headers["cache-control"] !== "no-store") throw new Error(`${app.name}: Cache-Control ${String(answer.headers["cache-control"])}`);
    }
    // The probe does tell an admin more: the check above is not passing because it never says anything.
    const admin = await rawRequest(stack.apps[0]!.url, { path: "/api/health", headers: { Cookie: people.adm.cookie } });
    if (!(admin.json as { version?: unknown } | undefined)?.version) throw new Error(`an admin sees no version either: ${admin.text.slice(0, 200)}`);
  });

  await runCase(result, "findings: 50 GETs of a key's material history as an auditor cost ListKeyRotations a handful of times", async () => {
    const before = (await stack.admin.getCallCounts()).ListKeyRotations ?? 0;
    const path = `/api/keys/${TARGET.id}/${REGION}/${fx.materialKey}/material`;
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push(await rawRequest(stack.apps[i % stack.apps.length]!.url, { path, headers: { Cookie: people.aud.cookie } }));
    const delta = ((await stack.admin.getCallCounts()).ListKeyRotations ?? 0) - before;
    const failed = answers.filter((a) => a.status !== 200);
    if (failed.length) throw new Error(`${failed.length} of 50 answered ${failed[0]!.status}: ${failed[0]!.text.slice(0, 160)}`);
    result.notes.push(`material history: 50 GETs as an auditor over ${stack.apps.length} instance(s) → ListKeyRotations +${delta}`);
    // One per instance, plus one more should a 30 s cache entry lapse mid-run.
    if (delta < 1 || delta > stack.apps.length + 2) throw new Error(`ListKeyRotations grew by ${delta} for 50 views`);
  });
}

const kb = (value: number) => `${Math.round(value / 1024)} MB`;
const signed = (value: number) => (value >= 0 ? `+${value}` : String(value));
