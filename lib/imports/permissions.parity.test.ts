import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "@/lib/clock";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { KeyportError } from "@/lib/errors";
import type { Actor, ImportDeps } from "./deps";
import { buildDownload } from "./downloads";
import { permissionsFor, requestFacts, type RequestPermissions } from "./permissions";
import { requestDetails } from "./read";
import { sweepOnce } from "./sweep";
import { avery, both, casey, devon, morgan, reviewed, riley, startInput, importHarness } from "./testing";
import { cancelRequest, decide, issueParameters, requestMaterialDeletion, retryRequest, startImport, uploadBlob, verifyImport } from "./workflow";

/**
 * The screen cannot offer what the server refuses: for each state × person × action, what
 * lib/imports/permissions.ts answers (what the request page shows) is what the workflow does when the action
 * arrives — the same refusal code, or success. Real workflow, emulator and database; each action that is
 * allowed runs on a fresh request in that state, since it changes it.
 */

const h = importHarness({ prefix: "keyport-parity-" });

const PEOPLE: Record<string, Actor> = { requester: casey, uploader: devon, uploaderApprover: both(devon), approver: avery, admin: morgan, auditor: riley };
const ACTIONS = ["download", "upload", "approve", "reject", "retry", "reissue", "cancel", "verify"] as const;
type ActionName = (typeof ACTIONS)[number];

const ACT: Record<ActionName, (deps: ImportDeps, actor: Actor, requestId: string) => Promise<unknown>> = {
  download: (deps, actor, id) => buildDownload(deps, actor, id, "ImportToken.bin"),
  upload: (deps, actor, id) => uploadBlob(deps, actor, id, randomBytes(256)),
  approve: async (deps, actor, id) => decide(deps, actor, await reviewed(deps, { requestId: id, decision: "approve" })),
  reject: async (deps, actor, id) => decide(deps, actor, await reviewed(deps, { requestId: id, decision: "reject", comment: "Parity check" })),
  retry: (deps, actor, id) => retryRequest(deps, actor, id),
  reissue: (deps, actor, id) => issueParameters(deps, actor, id),
  cancel: (deps, actor, id) => cancelRequest(deps, actor, id),
  verify: (deps, actor, id) => verifyImport(deps, actor, id),
};

/** How to bring a fresh request into a state; `later` moves Keyport's clock on afterwards (token run out). */
type Scenario = { build: (deps: ImportDeps) => Promise<string>; later?: number };
const DAY = 24 * 3600_000;

// The rules are the same whatever the database; the databases themselves are covered by workflow.test.ts and
// recovery.test.ts. One driver keeps this long table (about 200 actions) to one run.
describe.each(testDrivers().slice(0, 1))("permissions and the workflow agree, on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = h.makeDeps(db);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  const issued = async (d: ImportDeps) => {
    const key = await h.newKey(d, "SYMMETRIC_DEFAULT");
    return (await startImport(d, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }))).requestId;
  };
  const uploaded = async (d: ImportDeps) => {
    const id = await issued(d);
    await uploadBlob(d, devon, id, randomBytes(256));
    return id;
  };
  // Right size, not real material: KMS refuses it (invalid_ciphertext) and the request fails.
  const failed = async (d: ImportDeps) => {
    const id = await uploaded(d);
    await decide(d, avery, await reviewed(d, { requestId: id, decision: "approve" }));
    return id;
  };

  const SCENARIOS: Record<string, Scenario> = {
    draft: {
      build: async (d) => {
        const key = await h.newKey(d, "SYMMETRIC_DEFAULT");
        await h.admin.injectFaults({ type: "DependencyTimeoutException", rate: 1, operation: "GetParametersForImport" });
        try {
          return (await startImport(d, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }))).requestId;
        } finally {
          await h.admin.reset();
        }
      },
    },
    parameters_issued: { build: issued },
    awaiting_approval: { build: uploaded },
    "awaiting_approval, token run out": { build: uploaded, later: DAY + 1000 },
    failed: { build: failed },
    "failed, token run out": { build: failed, later: DAY + 1000 },
    expired: {
      build: async (d) => {
        const id = await issued(d);
        const clock = fixedClock(Date.now() + DAY + 1000);
        try {
          await sweepOnce(d);
        } finally {
          clock.restore();
        }
        return id;
      },
      later: DAY + 1000,
    },
    rejected: {
      build: async (d) => {
        const id = await uploaded(d);
        await decide(d, avery, await reviewed(d, { requestId: id, decision: "reject", comment: "Not now" }));
        return id;
      },
    },
    cancelled: {
      build: async (d) => {
        const id = await issued(d);
        await cancelRequest(d, casey, id);
        return id;
      },
    },
    imported: {
      build: async (d) => {
        const id = await issued(d);
        await uploadBlob(d, devon, id, (await h.wrapLikeACustodian(d, id, devon)).blob);
        await decide(d, avery, await reviewed(d, { requestId: id, decision: "approve" }));
        return id;
      },
    },
    "deletion awaiting approval": {
      build: async (d) => {
        const id = await issued(d);
        await uploadBlob(d, devon, id, (await h.wrapLikeACustodian(d, id, devon)).blob);
        await decide(d, avery, await reviewed(d, { requestId: id, decision: "approve" }));
        const key = (await requestDetails(d, id))!.request;
        return (await requestMaterialDeletion(d, casey, { target: key.targetId, region: key.region, keyId: key.keyId, justification: "Parity check of a deletion" })).requestId;
      },
    },
  };

  async function answer(requestId: string, actor: Actor): Promise<RequestPermissions> {
    const details = (await requestDetails(deps, requestId))!;
    return permissionsFor(requestFacts(details, { approvalsRequired: deps.approvalsRequired, now: deps.now().getTime() }), { id: actor.subject, roles: actor.roles });
  }

  async function outcome(call: Promise<unknown>): Promise<string | null> {
    try {
      await call;
      return null;
    } catch (error) {
      if (error instanceof KeyportError) return error.code;
      throw error;
    }
  }

  /** Builds the scenario, runs `fn` at the scenario's time, and puts the clock back. */
  async function inScenario<T>(scenario: Scenario, fn: (requestId: string) => Promise<T>): Promise<T> {
    const clock = fixedClock(Date.now());
    try {
      const id = await scenario.build(deps);
      clock.advance(scenario.later ?? 0);
      return await fn(id);
    } finally {
      clock.restore();
    }
  }

  it.each(Object.keys(SCENARIOS))("%s", async (name) => {
    const scenario = SCENARIOS[name]!;
    let compared = 0;
    const allowed: Array<[string, ActionName]> = [];
    // Refusals change nothing: all of them are tried on one request.
    await inScenario(scenario, async (id) => {
      for (const [who, actor] of Object.entries(PEOPLE)) {
        const answers = await answer(id, actor);
        for (const action of ACTIONS) {
          const verdict = answers[action];
          if (verdict.allowed) {
            allowed.push([who, action]);
            continue;
          }
          expect(await outcome(ACT[action](deps, actor, id)), `${name}: ${who} ${action}`).toBe(verdict.error.code);
          compared += 1;
        }
      }
    });
    // What is allowed goes through, each on a request of its own.
    for (const [who, action] of allowed) {
      await inScenario(scenario, async (id) => {
        const actor = PEOPLE[who]!;
        expect((await answer(id, actor))[action]).toEqual({ allowed: true });
        expect(await outcome(ACT[action](deps, actor, id)), `${name}: ${who} ${action}`).toBeNull();
        compared += 1;
      });
    }
    expect(compared).toBe(Object.keys(PEOPLE).length * ACTIONS.length);
    // Each allowed action runs on a fresh request through the real workflow and emulator: minutes, not seconds.
  }, 180_000);
});
