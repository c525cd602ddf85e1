/**
 * Hostile input: a corpus of several hundred malformed, oversized, forged, replayed and unauthorised requests
 * across every server action, every route handler and the pages (hostile-actions.ts, hostile-routes.ts,
 * hostile-pages.ts). Each must be refused cleanly — a 4xx, or an action's `{ok:false, code}` with a sentence,
 * never a 5xx, with the security headers — without a server error in the log (attributed to the input that
 * caused it), without any KMS call that changes something, and all of them together must change nothing:
 * fixture requests keep their states, the audit trail gains only refusals and auditors' reads (and its chain
 * still verifies), every session stays as it was, and the server's memory, read after a full garbage
 * collection (hostile-memory.ts), does not leak: it does not grow over two further passes in a row, V8's heap stays
 * within 10% of a warmed-up baseline and the RSS within 20%. Then the rows of the findings table
 * (hostile-findings.ts).
 */
import { createExternalKeys, refreshInventory, startImport, uploadMaterial, approve, waitForState, dataOf, verifyAudit, REGION } from "../journey";
import type { Stack } from "../stack";
import { errorsSince, logMark, newResult, runCase, type RunContext, type SuiteResult } from "../run";
import { expectedBlobSize } from "@/lib/imports/compat";
import { actionCases } from "./hostile-actions";
import { corpusCounts, INJECTED, type CorpusContext, type Fixtures } from "./hostile-corpus";
import { refusalProblems } from "./hostile-expect";
import { findingsRows } from "./hostile-findings";
import { closeInspectors, collectedMemory, collectedRssKb, openInspectors, type MemoryReading } from "./hostile-memory";
import { pageCases } from "./hostile-pages";
import { routeCases } from "./hostile-routes";
import { makeHostileSessions, sessionIdOf } from "./hostile-sessions";
import { compareSnapshot, takeSnapshot, watchedDelta, type Timeline } from "./hostile-snapshot";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The requests the corpus aims at, made through the app as custodians and approvers would. */
async function makeFixtures(context: RunContext): Promise<Fixtures> {
  const { stack, actions, people } = context;
  const app = stack.apps[0]!.url;
  const [awaitingKey, importedKey, issuedKey, untouched, materialKey] = await createExternalKeys(stack, 5, "hostile fixture");
  await refreshInventory(actions, app, people.cora);
  const awaitingId = await startImport(actions, app, people.cora, awaitingKey!);
  const awaitingSha = await uploadMaterial(actions, app, people.cora, awaitingId);
  const importedId = await startImport(actions, app, people.cora, importedKey!);
  const importedSha = await uploadMaterial(actions, app, people.cora, importedId);
  dataOf(await approve(actions, app, people.ana, importedId, importedSha), "approve the imported fixture");
  await waitForState(app, people.aud, importedId, ["imported"]);
  const issuedId = await startImport(actions, app, people.cora, issuedKey!);
  const size = expectedBlobSize("SYMMETRIC_DEFAULT", REGION, "RSA_AES_KEY_WRAP_SHA_256", "RSA_2048");
  if (size.kind !== "exact") throw new Error("The fixture's blob size is not exact");
  return {
    awaiting: { id: awaitingId, keyId: awaitingKey!, sha256: awaitingSha },
    imported: { id: importedId, keyId: importedKey!, sha256: importedSha },
    issued: { id: issuedId, keyId: issuedKey! },
    untouched: untouched!,
    materialKey: materialKey!,
    blobBytes: size.bytes,
    coraSessionId: await sessionIdOf(people.cora),
  };
}

export async function hostileSuite(context: RunContext): Promise<SuiteResult> {
  const result = newResult("hostile");
  const { stack, people, say } = context;
  const started = Date.now();

  say("hostile: instances restarted with their inspectors on loopback, to measure memory after garbage collection");
  await openInspectors(stack, people.cora.cookie);
  try {
    await run(context, result);
  } finally {
    await closeInspectors(stack, people.cora.cookie);
  }
  result.notes.push(`the hostile suite took ${Math.round((Date.now() - started) / 1000)} s, its instances' two restarts included`);
  return result;
}

async function run(context: RunContext, result: SuiteResult): Promise<void> {
  const { stack, people, say } = context;
  say("hostile: fixtures (an import awaiting approval, one imported, one with parameters) and hostile sessions");
  const fx = await makeFixtures(context);
  const sessions = await makeHostileSessions(stack);
  const cx: CorpusContext = { people, sessions, fx };
  const corpus = [...actionCases(cx), ...routeCases(cx, stack.idpIssuer), ...pageCases(cx)];
  const counts = corpusCounts(corpus);
  result.notes.push(`${corpus.length} hostile inputs over ${counts.targets} targets; by kind: ${counts.kinds}`);
  result.notes.push(`by category: ${counts.categories}`);

  const before = await takeSnapshot(context);
  // The whole corpus once, unchecked, before the baseline: every path compiled and cached, and the heaps (V8's,
  // and PGlite's WebAssembly memory, which never shrinks) grown to their working size. The checked pass that
  // follows then shows growth, not first use.
  const warm = corpus;
  say(`hostile: warm-up pass over all ${warm.length} inputs`);
  for (const [i, c] of warm.entries()) await c.send(stack.apps[i % stack.apps.length]!.url).catch(() => undefined);
  const baseline = await readAll(stack.apps);

  say(`hostile: ${corpus.length} inputs`);
  const timeline: Timeline = [];
  /** RSS (MB) of each instance after every 100 inputs, for the notes. */
  const along: string[] = [];
  for (const [i, c] of corpus.entries()) {
    const app = stack.apps[i % stack.apps.length]!;
    const name = `${c.kind} ${c.target} [${c.category}] ${c.name} (${app.name})`;
    await runCase(result, name, async () => {
      const mark = logMark(stack);
      const kmsBefore = await stack.admin.getCallCounts();
      const start = Date.now();
      const answer = await c.send(app.url);
      timeline.push({ name, start, end: Date.now() });
      // Log lines arrive through a pipe: give them a moment, so each is blamed on the input that caused it.
      await sleep(15);
      const problems = refusalProblems(c.kind, answer, c.expect);
      if (answer.status >= 500) result.serverErrors += 1;
      const kms = watchedDelta(kmsBefore, await stack.admin.getCallCounts());
      if (kms.length) problems.push(`KMS was called: ${kms.join(", ")}`);
      const logged = errorsSince(stack, mark);
      if (logged.length) problems.push(`server log: ${logged.slice(0, 3).join(" | ").slice(0, 400)}`);
      if (problems.length) throw new Error(problems.join("; "));
    });
    if ((i + 1) % 100 === 0) {
      say(`hostile: ${i + 1}/${corpus.length} inputs`);
      along.push(stack.apps.map((app) => Math.round(app.rssKb() / 1024)).join("/"));
    }
  }

  say("hostile: the findings table's rows");
  await findingsRows(context, result, fx, collectedRssKb);

  const after = await readAll(stack.apps);
  say("hostile: what changed");
  const { changes, gained, allDeltas } = await compareSnapshot(context, fx, sessions, before, timeline);
  result.notes.push(`audit events gained: ${Object.entries(gained).map(([a, n]) => `${a} ${n}`).join(", ") || "none"}`);
  result.notes.push(`emulator calls during the corpus: ${allDeltas.join(", ") || "none"}`);
  const areas: Array<[keyof typeof changes, string]> = [
    ["kms", "no KMS operation that changes something (or works on a caller's behalf) was called"],
    ["fixtures", "the fixture requests keep their states"],
    ["audit", "the audit trail gained only refusals and auditors' own exports and verifications"],
    ["sessions", "every session of the run, and the spare one, is still live"],
    ["clock", "the emulator's clock did not move"],
  ];
  for (const [area, what] of areas) {
    await runCase(result, `changes nothing: ${what}`, async () => {
      const found = changes[area];
      result.lost += found.length;
      if (found.length) throw new Error(found.slice(0, 10).join("; "));
    });
  }
  await runCase(result, "the audit chain verifies after the corpus", async () => {
    const verdict = await verifyAudit(context.actions, stack.apps[0]!.url, people.aud);
    if (!verdict.ok) throw new Error(`the chain does not verify: ${verdict.detail}`);
  });
  await runCase(result, "no CR/LF injection reached a server log line", async () => {
    const lines = stack.apps.flatMap((app) => app.log.filter((line) => line.includes(INJECTED)).map((line) => `${app.name}: ${line}`));
    if (lines.length) throw new Error(`the logs carry injected text: ${lines.slice(0, 3).join(" | ")}`);
  });

  // Once more, unchecked: a leak grows by about as much on every pass, while a cache or a high-water mark
  // (PGlite's shared buffers fill as the trail grows, and its WebAssembly memory never shrinks) does not.
  say(`hostile: a second, unchecked pass over the ${corpus.length} inputs, to tell a leak from a high-water mark`);
  for (const [i, c] of corpus.entries()) await c.send(stack.apps[i % stack.apps.length]!.url).catch(() => undefined);
  const again = await readAll(stack.apps);
  result.notes.push(
    "memory, each read just after a full garbage collection — baseline (after an unchecked warm-up pass over the whole " +
      "corpus), after the checked pass and the findings rows, after a second unchecked pass: " +
      stack.apps.map((app, i) => `${app.name} ${describeReadings(baseline[i]!, after[i]!, again[i]!)}`).join("; "),
  );
  result.notes.push(`RSS along the checked pass, garbage included (MB after each 100 inputs): ${along.join(", ")}`);
  // PGlite's WebAssembly memory grows in steps of up to a fifth of its size (Emscripten's geometric growth), and RSS
  // follows once the new pages are touched: one step can land in the second pass with nothing leaking. A leak
  // grows on every pass, so an instance that grew is given one more pass, and fails only if it grows again.
  const grewOnce = (before: MemoryReading[], now: MemoryReading[], i: number) => now[i]!.rssKb - before[i]!.rssKb > baseline[i]!.rssKb * 0.05;
  let last = again;
  if (stack.apps.some((_, i) => grewOnce(after, again, i))) {
    say("hostile: an instance's RSS grew over the second pass; a third unchecked pass tells a step from a leak");
    for (const [i, c] of corpus.entries()) await c.send(stack.apps[i % stack.apps.length]!.url).catch(() => undefined);
    last = await readAll(stack.apps);
    result.notes.push(`RSS after a third unchecked pass: ${stack.apps.map((app, i) => `${app.name} ${mb(last[i]!.rssKb)} (${pct(last[i]!.rssKb, again[i]!.rssKb)})`).join("; ")}`);
  }
  await runCase(result, "memory: no instance's RSS grows by more than 5% over two consecutive passes of the corpus", async () => {
    const grown = stack.apps.flatMap((app, i) =>
      grewOnce(after, again, i) && (last === again || grewOnce(again, last, i)) ? [`${app.name} ${mb(after[i]!.rssKb)} → ${mb(again[i]!.rssKb)} → ${mb(last[i]!.rssKb)}`] : [],
    );
    if (grown.length) throw new Error(`grew again over each further pass (a leak): ${grown.join(", ")}`);
  });
  await runCase(result, "memory: every instance's V8 heap is within 10% of its warmed-up baseline after both passes", async () => {
    const grown = stack.apps.flatMap((app, i) => (last[i]!.heapUsedKb > baseline[i]!.heapUsedKb * 1.1 ? [`${app.name} ${pct(last[i]!.heapUsedKb, baseline[i]!.heapUsedKb)}`] : []));
    if (grown.length) throw new Error(`V8 heap grew more than 10%: ${grown.join(", ")}`);
  });
  await runCase(result, "memory: every instance's RSS is within 20% of its warmed-up baseline after both passes", async () => {
    const grown = stack.apps.flatMap((app, i) => (last[i]!.rssKb > baseline[i]!.rssKb * 1.2 ? [`${app.name} ${pct(last[i]!.rssKb, baseline[i]!.rssKb)}`] : []));
    if (grown.length) throw new Error(`grew more than 20%: ${grown.join(", ")}`);
  });
}

async function readAll(apps: Stack["apps"]): Promise<MemoryReading[]> {
  const readings: MemoryReading[] = [];
  for (const app of apps) readings.push(await collectedMemory(app));
  return readings;
}

function describeReadings(...readings: MemoryReading[]): string {
  const [base] = readings;
  const line = (pick: (r: MemoryReading) => number) => readings.map((r, i) => (i === 0 ? mb(pick(r)) : `${mb(pick(r))} (${pct(pick(r), pick(base!))})`)).join(" → ");
  return `RSS ${line((r) => r.rssKb)}, V8 heap ${line((r) => r.heapUsedKb)}, external ${line((r) => r.externalKb)}`;
}

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
const pct = (now: number, base: number) => `${now >= base ? "+" : ""}${(((now - base) / base) * 100).toFixed(1)}%`;
