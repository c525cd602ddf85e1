/**
 * The concurrency suite: many people acting at the same moment, their calls spread over both app instances
 * when there are two (on one PostgreSQL database, where the races are real; on PGlite one transaction runs at
 * a time, so the same calls are serialised). Cases (concurrency-*.ts):
 * - dual control under load: 5 approvers × 10 clicks on one request, quorum 1 (5 rounds) and 2 (3 rounds);
 * - two uploads at once; new parameters during approval; a cancel during the import;
 * - ten requests started on one key; refreshes from both instances; an import completing during a refresh;
 * - at the end, the audit chain verifies and every request's trail agrees with its final state.
 */
import { createExternalKeys, refreshInventory, verifyAudit, auditTrail } from "../journey";
import { newResult, runCase, type RunContext, type SuiteResult } from "../run";
import { dualControlRound, twoUploads, type RoundFigures } from "./concurrency-approvals";
import { cancelDuringImport, reissueDuringApproval } from "./concurrency-interrupts";
import { refreshFromBoth, tenStarts } from "./concurrency-keys";
import { importDuringRefresh } from "./concurrency-refresh-race";
import { fail, Ledger, stateOf, storyProblems } from "./concurrency-support";

const QUORUM_1_ROUNDS = 5;
const QUORUM_2_ROUNDS = 3;
/** How long after the reissue the approvals are sent, per round: at once, and later so the reissue can win. */
const REISSUE_DELAYS_MS = [0, 20, 40, 80, 200];

export async function concurrencySuite(context: RunContext): Promise<SuiteResult> {
  const result = newResult("concurrency");
  const { stack, actions, people, say } = context;
  const ledger = new Ledger();
  const started = Date.now();

  // Fresh keys for every case, in one refresh (the refresh case makes its own).
  const keyCount = QUORUM_1_ROUNDS + QUORUM_2_ROUNDS + 1 + REISSUE_DELAYS_MS.length + 1 + 1;
  const keys = await createExternalKeys(stack, keyCount, "reliability concurrency");
  await refreshInventory(actions, stack.apps[0]!.url, people.cora);
  const nextKey = () => keys.shift() ?? fail("the suite ran out of fresh keys");

  const rounds = async (quorum: number, count: number) => {
    const figures: RoundFigures[] = [];
    for (let round = 1; round <= count; round++) {
      const label = `quorum ${quorum} round ${round}`;
      await runCase(result, `dual control, ${label}`, async () => {
        figures.push(await dualControlRound(context, result, ledger, nextKey(), quorum, label));
      });
    }
    const calls = figures.reduce((n, f) => n + f.approvals, 0);
    const imports = figures.reduce((n, f) => n + f.imports, 0);
    const refusals = new Map<string, number>();
    for (const f of figures) for (const [code, n] of f.refusals) refusals.set(code, (refusals.get(code) ?? 0) + n);
    const overlaps = figures.map((f) => `${Math.max(0, f.overlapMs)}`).join("/");
    result.notes.push(
      `quorum ${quorum}: ${figures.length}/${count} rounds × 50 approvals (${calls} calls) → ${imports} ImportKeyMaterial; refusals ${[...refusals].map(([c, n]) => `${c} ×${n}`).join(", ")}; all 50 in flight together for ${overlaps} ms`,
    );
  };

  say(`concurrency: dual control, quorum 1, ${stack.apps.length} instance(s)`);
  await rounds(1, QUORUM_1_ROUNDS);

  say("concurrency: two uploads, reissue during approval, cancel during import");
  await runCase(result, "two uploads at once", async () => {
    result.notes.push(await twoUploads(context, result, ledger, nextKey()));
  });
  const winners: string[] = [];
  for (const [i, delayMs] of REISSUE_DELAYS_MS.entries()) {
    await runCase(result, `reissue during approval, round ${i + 1}`, async () => {
      winners.push(`${await reissueDuringApproval(context, result, ledger, nextKey(), delayMs, `reissue round ${i + 1}`)} (+${delayMs} ms)`);
    });
  }
  result.notes.push(`reissue during approval: first were ${winners.join(", ")}; no import.failed on a stale token`);
  await runCase(result, "cancel during import", async () => {
    result.notes.push(await cancelDuringImport(context, result, ledger, nextKey()));
  });

  say("concurrency: ten starts on one key, refreshes from every instance");
  await runCase(result, "ten simultaneous starts on one key", async () => {
    result.notes.push(await tenStarts(context, result, ledger, nextKey()));
  });
  await runCase(result, "refresh from every instance at once", async () => {
    result.notes.push(await refreshFromBoth(context, result));
  });
  await runCase(result, "an import completing during a refresh stays in the cache", async () => {
    result.notes.push(await importDuringRefresh(context, result, ledger));
  });

  say("concurrency: dual control, quorum 2 (instances restarted)");
  try {
    let restarted = false;
    await runCase(result, "every instance restarts with a quorum of 2", async () => {
      await restartWithQuorum(context, 2);
      restarted = true;
    });
    if (restarted) await rounds(2, QUORUM_2_ROUNDS);
  } finally {
    // Back to the quorum the other suites expect.
    await restartWithQuorum(context, 1);
  }

  await runCase(result, "the audit chain verifies and every trail agrees with its request", async () => {
    const problems: string[] = [];
    const verified = await verifyAudit(actions, stack.apps.at(-1)!.url, people.aud);
    if (!verified.ok) problems.push(`the audit chain does not verify: ${verified.detail}`);
    // One export of the whole trail, grouped by request, rather than one per request.
    const trail = await auditTrail(stack.apps[0]!.url, people.aud);
    for (const driven of ledger.driven) {
      const events = trail.filter((e) => e.requestId === driven.requestId);
      const story = storyProblems(await stateOf(context, driven.requestId), events, driven);
      result.lost += story.length;
      problems.push(...story);
    }
    if (problems.length) fail(problems.join("; "));
  });
  result.notes.push(`requests driven: ${ledger.driven.length}; total duplicate imports: ${ledger.duplicateImports}; lost or extra events: ${result.lost}`);
  result.notes.push(`took ${Math.round((Date.now() - started) / 1000)} s on ${stack.apps.length} instance(s), ${stack.database.kind}`);
  return result;
}

/** Restarts every instance with KEYPORT_APPROVALS_REQUIRED=`quorum` (gracefully; one at a time). */
async function restartWithQuorum(context: RunContext, quorum: number): Promise<void> {
  for (const app of context.stack.apps) {
    await app.stop("SIGTERM");
    await app.start({ KEYPORT_APPROVALS_REQUIRED: String(quorum) });
  }
}
