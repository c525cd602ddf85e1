import { constants, createPublicKey, publicEncrypt, randomBytes } from "node:crypto";
import { CreateKeyCommand } from "@aws-sdk/client-kms";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { listAuditEvents, verifyAudit } from "@/lib/audit";
import { now, nowMs } from "@/lib/clock";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { adminClient, startEmulator, type AdminClient, type RunningEmulator } from "@/lib/emulator";
import { KeyportError } from "@/lib/errors";
import { refreshKey } from "@/lib/inventory";
import * as inventoryQueries from "@/lib/inventory/queries";
import { KmsAccess, type KmsTarget } from "@/lib/kms";
import type { ImportDeps } from "./deps";
import { buildDownload } from "./downloads";
import { requestDetails } from "./read";
import { startImportSchema } from "./schemas";
import { avery, blake, both, casey, devon, morgan, REGION, reviewed } from "./testing";
import { decide, retryRequest, startImport, uploadBlob, type ExecutionResult } from "./workflow";

/**
 * What the workflow says and records when something goes wrong, against the emulator (its fault controls)
 * and a real database: a rotation whose RotateKeyOnDemand failed after the import, Keyport's own failures
 * (configuration, database) told apart from AWS's, verification that could not run, and dual-control
 * refusals in the audit trail. The custodian's wrapping is done in-process here (RSAES_OAEP_SHA_256); the
 * workflow tests run the printed openssl commands.
 */

let emulator: RunningEmulator;
let admin: AdminClient;
let targets: KmsTarget[];
const accesses: KmsAccess[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ seed: "demo", admin: true, wrappingKeyPool: { RSA_2048: 4 } });
  admin = adminClient(emulator.endpoint);
  const account = emulator.accounts.find((a) => a.assumable)!;
  targets = [{ id: "prod", name: account.name, accountId: account.accountId, roleArn: account.roleArn, externalId: account.externalId, regions: emulator.regions }];
});
afterAll(async () => {
  for (const access of accesses) access.destroy();
  await emulator?.close();
});

function kmsAccess(forTargets: KmsTarget[]): KmsAccess {
  // No SDK retries: an injected fault must reach the workflow as KMS sent it.
  const kms = new KmsAccess({ targets: forTargets, endpoint: emulator.endpoint, now: nowMs, baseCredentials: emulator.credentials, maxAttempts: 1 });
  accesses.push(kms);
  return kms;
}

function makeDeps(db: TestDatabase): ImportDeps {
  const kms = kmsAccess(targets);
  const database = db.database.db;
  return {
    db: database,
    kms,
    now,
    approvalsRequired: 1,
    dataKey: randomBytes(32),
    inventory: {
      getKey: (t, r, k) => inventoryQueries.getExternalKey(database, t, r, k),
      refreshKey: (t, r, k) => refreshKey(t, r, k, { db: database, kms, now }),
    },
  };
}

async function newSymmetricKey(deps: ImportDeps) {
  const out = await deps.kms
    .kms("prod", REGION, { kind: "service" })
    .send(new CreateKeyCommand({ KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "EXTERNAL", Description: "failure messages test" }));
  const keyId = out.KeyMetadata!.KeyId!;
  await deps.inventory.refreshKey("prod", REGION, keyId);
  return { targetId: "prod", region: REGION, keyId };
}

/** Starts a request on `key` as `requester` and uploads 32 bytes of material wrapped for it as `uploader`. */
async function uploaded(deps: ImportDeps, key: { targetId: string; region: string; keyId: string }, kind: "import" | "rotate", requester = casey, uploader = casey) {
  const input = startImportSchema.parse({
    target: key.targetId,
    region: key.region,
    keyId: key.keyId,
    kind,
    wrappingAlgorithm: "RSAES_OAEP_SHA_256",
    wrappingKeySpec: "RSA_2048",
    expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
    justification: "Integration test of failure messages",
  });
  const { requestId, parametersError } = await startImport(deps, requester, input);
  expect(parametersError).toBeNull();
  const publicKey = (await buildDownload(deps, uploader, requestId, "WrappingPublicKey.bin")).body;
  const blob = publicEncrypt(
    { key: createPublicKey({ key: Buffer.from(publicKey), format: "der", type: "spki" }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
    randomBytes(32),
  );
  await uploadBlob(deps, uploader, requestId, blob);
  return requestId;
}

async function eventsOf(deps: ImportDeps, requestId: string) {
  const { events } = await listAuditEvents(deps.db, { requestId }, { limit: 100 });
  return events.reverse();
}

/** A database rule that refuses one audit action, as a failing database would, until the returned undo. */
async function refuseAuditAction(deps: ImportDeps, action: string): Promise<() => Promise<void>> {
  const name = `test_refuse_${action.replace(/\W/g, "_")}`;
  await deps.db.execute(sql.raw(`ALTER TABLE audit_events ADD CONSTRAINT ${name} CHECK (action <> '${action}') NOT VALID`));
  return async () => void (await deps.db.execute(sql.raw(`ALTER TABLE audit_events DROP CONSTRAINT ${name}`)));
}

let errors: MockInstance<typeof console.error>;
let warnings: MockInstance<typeof console.warn>;
const logged = (spy: MockInstance<(...args: unknown[]) => void>) => spy.mock.calls.map((args) => args.map(String).join(" ")).join("\n");
const REF = /\(ref ([0-9a-f]{12})\)/;

beforeEach(() => {
  errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
  warnings = vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await admin.reset();
});

describe.each(testDrivers())("failures of the import workflow on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = makeDeps(db);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("says the material was imported when only RotateKeyOnDemand failed, and that a retry only rotates", async () => {
    const key = await newSymmetricKey(deps);
    const first = await uploaded(deps, key, "import");
    expect(await decide(deps, avery, await reviewed(deps, { requestId: first, decision: "approve" }))).toMatchObject({ state: "imported" });

    const rotation = await uploaded(deps, key, "rotate");
    await admin.injectFaults({ type: "KMSInternalException", rate: 1, operation: "RotateKeyOnDemand" });
    const outcome = await decide(deps, blake, await reviewed(deps, { requestId: rotation, decision: "approve" }));
    const imported = (await requestDetails(deps, rotation))!.request;
    expect(imported.keyMaterialId).toEqual(expect.any(String));
    const execution = outcome.execution as Extract<ExecutionResult, { ok: false }>;
    expect(execution).toMatchObject({ ok: false, code: "kms_internal", retryable: true });
    expect(execution.message).toBe(
      `The new key material was imported into AWS KMS (key material ${imported.keyMaterialId}), but the rotation to it did not run: AWS KMS had an internal error. The key still uses its previous key material. A retry runs only the rotation (RotateKeyOnDemand); it does not import the material again.`,
    );
    expect(execution.message).not.toMatch(/Nothing was changed/);
    expect(imported).toMatchObject({ state: "failed", lastErrorMessage: execution.message });
    const trail = await eventsOf(deps, rotation);
    expect(trail.map((e) => e.action).slice(-3)).toEqual(["import.approved", "import.imported", "import.failed"]);
    expect(trail.at(-1)!.details).toMatchObject({ failedOperation: "RotateKeyOnDemand", code: "kms_internal" });

    // What the message promised: the retry rotates and imports nothing.
    await admin.reset();
    expect(await retryRequest(deps, avery, rotation)).toMatchObject({ ok: true });
    expect(await admin.getCallCounts()).toMatchObject({ RotateKeyOnDemand: 1 });
    expect((await admin.getCallCounts()).ImportKeyMaterial ?? 0).toBe(0);
  });

  it("records a dual-control refusal as a role refusal is recorded: in the log and the audit trail", async () => {
    const key = await newSymmetricKey(deps);
    // An admin requests and Devon (a custodian who is also an approver) uploads: neither may approve it,
    // nor later retry it, although their roles would allow both.
    const dual = both(devon);
    const requestId = await uploaded(deps, key, "import", morgan, dual);
    await expect(decide(deps, morgan, await reviewed(deps, { requestId, decision: "approve" }))).rejects.toMatchObject({ code: "self_approval" });
    await expect(decide(deps, dual, await reviewed(deps, { requestId, decision: "reject", comment: "no" }))).rejects.toMatchObject({ code: "self_approval" });
    await admin.injectFaults({ type: "KMSInternalException", rate: 1, operation: "ImportKeyMaterial" });
    expect(await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }))).toMatchObject({ state: "failed" });
    await admin.reset();
    await expect(retryRequest(deps, dual, requestId)).rejects.toBeInstanceOf(KeyportError);

    const denied = (await eventsOf(deps, requestId)).filter((e) => e.action === "auth.access_denied");
    expect(denied.map((e) => [e.actor.subject, e.details])).toEqual([
      ["demo-morgan", { kind: "dual_control", name: "approve", permission: "imports.approve", role: "requester", email: morgan.email }],
      ["demo-devon", { kind: "dual_control", name: "reject", permission: "imports.approve", role: "uploader", email: devon.email }],
      ["demo-devon", { kind: "dual_control", name: "retry", permission: "imports.approve", role: "uploader", email: devon.email }],
    ]);
    expect(denied[0]!.actor.roles).toEqual(["admin"]);
    expect(logged(warnings)).toContain(`refused approve of request ${requestId}: demo-morgan (admin) is its requester (dual control)`);
    expect(await verifyAudit(deps.db)).toMatchObject({ ok: true });
  });

  it("does not report Keyport's own failure before the KMS call as AWS's, and knows nothing was imported", async () => {
    const key = await newSymmetricKey(deps);
    const requestId = await uploaded(deps, key, "import");
    await admin.reset();
    // The target was taken out of the configuration while the request waited: Keyport's failure, not AWS's.
    const withoutTarget = { ...deps, kms: kmsAccess([{ ...targets[0]!, id: "other" }]) };
    const outcome = await decide(withoutTarget, avery, await reviewed(deps, { requestId, decision: "approve" }));
    const execution = outcome.execution as Extract<ExecutionResult, { ok: false }>;
    expect(execution.code).toBe("internal");
    const reference = REF.exec(execution.message)?.[1];
    expect(reference).toBeDefined();
    expect(execution.message).toBe(
      `Keyport hit an internal error (ref ${reference}) before calling AWS KMS, so nothing was imported. Retry; if it happens again, give your administrator the reference.`,
    );
    expect(execution.message).not.toMatch(/AWS returned|does not recognise/);
    expect((await admin.getCallCounts()).ImportKeyMaterial ?? 0).toBe(0);
    expect(logged(errors)).toContain(`[imports] internal error (ref ${reference}) while carrying out request ${requestId} (preparing)`);
    expect((await eventsOf(deps, requestId)).at(-1)).toMatchObject({ action: "import.failed", details: { code: "internal", reference } });
  });

  it("says AWS KMS imported the material when Keyport then failed to record it, and logs no query parameters", async () => {
    const key = await newSymmetricKey(deps);
    const first = await uploaded(deps, key, "import");
    await decide(deps, avery, await reviewed(deps, { requestId: first, decision: "approve" }));
    const rotation = await uploaded(deps, key, "rotate");
    const undo = await refuseAuditAction(deps, "import.imported");
    let execution: Extract<ExecutionResult, { ok: false }>;
    try {
      execution = (await decide(deps, blake, await reviewed(deps, { requestId: rotation, decision: "approve" }))).execution as typeof execution;
    } finally {
      await undo();
    }
    expect(execution.code).toBe("internal");
    const reference = REF.exec(execution.message)?.[1];
    expect(execution.message).toMatch(
      new RegExp(
        `^AWS KMS imported the key material \\(key material [\\w-]+\\), but Keyport hit an internal error \\(ref ${reference}\\) while recording it, so the rotation to it did not run\\. Check the key's material history`,
      ),
    );
    expect(execution.message).not.toMatch(/nothing was|Nothing was/);
    expect((await admin.getCallCounts()).RotateKeyOnDemand ?? 0).toBe(0);
    const log = logged(errors);
    expect(log).toContain(`(ref ${reference}) while carrying out request ${rotation} (imported ImportKeyMaterial)`);
    expect(log).toContain("23514"); // PostgreSQL's check_violation: enough to find the cause
    expect(log).not.toMatch(/Failed query|params|Failing row|demo\.keyport|Casey|Blake/);
  });

  it("shows and logs a verification that could not run, instead of dropping it", async () => {
    const key = await newSymmetricKey(deps);
    const requestId = await uploaded(deps, key, "import");
    const undo = await refuseAuditAction(deps, "import.verified");
    let outcome: Awaited<ReturnType<typeof decide>>;
    try {
      outcome = await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
    } finally {
      await undo();
    }
    expect(outcome.state).toBe("imported");
    const verification = (outcome.execution as Extract<ExecutionResult, { ok: true }>).verification;
    expect(verification).toMatchObject({ ok: false, code: "verification_unavailable", method: "encrypt_decrypt" });
    const reference = REF.exec((verification as { message: string }).message)?.[1];
    expect((verification as { message: string }).message).toBe(
      `Verification could not run (ref ${reference}). Verify again from the request page; if it keeps failing, give your administrator the reference.`,
    );
    expect(logged(errors)).toContain(`[imports] internal error (ref ${reference}) while verifying request ${requestId} after its import`);
    expect(logged(errors)).not.toMatch(/Failed query|params/);
  });
});
