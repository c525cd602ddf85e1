import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditHead, listAuditEvents, verifyAudit } from "@/lib/audit";
import { fixedClock, nowMs } from "@/lib/clock";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { AdminClient } from "@/lib/emulator";
import { KeyportError } from "@/lib/errors";
import * as inventoryQueries from "@/lib/inventory/queries";
import type { ImportDeps } from "./deps";
import { buildDownload } from "./downloads";
import * as queries from "./queries";
import { approvalQueue, changeStamp, listImportRequests, openRequestsForKeys, requestCounts, requestDetails } from "./read";
import { sweepOnce } from "./sweep";
import { REGION, actionsOf, avery, bash, blake, both, casey, devon, expectRefusal, morgan, reviewed, riley, startInput, importHarness } from "./testing";
import {
  cancelRequest,
  decide,
  issueParameters,
  requestMaterialDeletion,
  retryRequest,
  startImport,
  uploadBlob,
  verifyImport,
  type VerificationResult,
} from "./workflow";

/**
 * The import workflow end to end: the real AWS SDK against the emulator over HTTP, the real database (PGlite,
 * and PostgreSQL when DATABASE_URL is set), and the custodian's side done by running — with bash and the
 * openssl CLI — exactly the commands Keyport prints for the request.
 */

const h = importHarness();
const { makeDeps, newKey, describeKeyState, wrapLikeACustodian } = h;
let admin: AdminClient;
beforeAll(() => {
  admin = h.admin;
});

describe.each(testDrivers())("the import workflow on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = makeDeps(db);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("imports symmetric material wrapped with RSAES_OAEP_SHA_256, verifies it, and deletes it again under approval", async () => {
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    const started = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_4096" }));
    expect(started.parametersError).toBeNull();
    const id = started.requestId;

    // One open request per key.
    await expectRefusal(startImport(deps, devon, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_1", wrappingKeySpec: "RSA_2048" })), "key_busy");

    // The files as the console names them; the token is the one KMS issued (its hash was recorded).
    const details = (await requestDetails(deps, id))!;
    expect(details.request.state).toBe("parameters_issued");
    const der = await buildDownload(deps, casey, id, "WrappingPublicKey.bin");
    expect(der.contentType).toBe("application/octet-stream");
    expect(der.sha256).toBe(details.parameters!.publicKeySha256);
    const token = await buildDownload(deps, casey, id, "ImportToken.bin");
    expect(token.sha256).toBe(details.parameters!.importTokenSha256);
    const pem = await buildDownload(deps, casey, id, "WrappingPublicKey.pem");
    expect(Buffer.from(pem.body).toString("ascii")).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n$/);

    const { blob, readme } = await wrapLikeACustodian(deps, id);
    expect(readme).toContain("Expected upload:    EncryptedKeyMaterial.bin, exactly 512 bytes");
    expect(blob.length).toBe(512);

    // The server checks the size against the wrapping choice.
    await expectRefusal(uploadBlob(deps, casey, id, blob.subarray(0, 256)), "blob_size", /exactly 512 bytes/);
    const uploaded = await uploadBlob(deps, casey, id, blob);
    expect(uploaded.size).toBe(512);

    // The token and the blob are stored sealed, never as the bytes themselves.
    const stored = await queries.sealedBlob(deps.db, (await queries.currentBlob(deps.db, id))!.id);
    expect(stored!.includes(blob.subarray(0, 64))).toBe(false);

    const queue = (await approvalQueue(deps)).waiting;
    expect(queue.find((q) => q.id === id)).toMatchObject({ state: "awaiting_approval", blobSha256: uploaded.sha256, uploadedBySubject: casey.subject });

    const outcome = await decide(deps, avery, await reviewed(deps, { requestId: id, decision: "approve", comment: "Checked the hash with Casey", blobSha256: uploaded.sha256 }));
    expect(outcome).toMatchObject({ state: "imported", approvals: 1, required: 1, execution: { ok: true } });
    const execution = outcome.execution as Extract<typeof outcome.execution, { ok: true }>;
    expect(execution.keyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(execution.verification).toMatchObject({ method: "encrypt_decrypt", ok: true, sameMaterial: true });

    // KMS and the inventory cache both show the key enabled.
    expect((await describeKeyState(deps, key.arn)).KeyState).toBe("Enabled");
    expect(await inventoryQueries.getExternalKey(deps.db, key.targetId, key.region, key.keyId)).toMatchObject({ keyState: "Enabled" });

    // Downloads stop once the request has moved on.
    await expectRefusal(buildDownload(deps, casey, id, "ImportToken.bin"), "gone");

    // Deleting the material is a request of its own, under the same quorum, not by its requester.
    const deletion = await requestMaterialDeletion(deps, casey, { ...key, target: key.targetId, justification: "Rehearsal over; remove the material" });
    await expectRefusal(decide(deps, casey, await reviewed(deps, { requestId: deletion.requestId, decision: "approve" })), "forbidden", /Only approvers/);
    await expectRefusal(decide(deps, both(casey), await reviewed(deps, { requestId: deletion.requestId, decision: "approve" })), "self_approval", /started this request/);
    const deleted = await decide(deps, blake, await reviewed(deps, { requestId: deletion.requestId, decision: "approve", comment: "ok" }));
    expect(deleted).toMatchObject({ state: "imported", execution: { ok: true } });
    expect((await describeKeyState(deps, key.arn)).KeyState).toBe("PendingImport");
    expect(await inventoryQueries.getExternalKey(deps.db, key.targetId, key.region, key.keyId)).toMatchObject({ keyState: "PendingImport" });

    // The audit trail holds every step, in order, and the chain verifies.
    expect(await actionsOf(deps, id)).toEqual([
      "import.requested",
      "import.parameters_issued",
      "import.downloaded",
      "import.downloaded",
      "import.downloaded",
      "import.downloaded",
      "import.uploaded",
      "import.approved",
      "import.imported",
      "import.verified",
    ]);
    // The requester's refused approval is in the trail too, as refusals by role are.
    expect(await actionsOf(deps, deletion.requestId)).toEqual(["material.deletion_requested", "auth.access_denied", "import.approved", "material.deleted"]);
    const trail = await listAuditEvents(deps.db, { requestId: id }, { limit: 50 });
    const imported = trail.events.find((e) => e.action === "import.imported")!;
    expect(imported.actor).toMatchObject({ subject: avery.subject });
    expect(imported.kmsRequestId).toBeTruthy();
    expect(trail.events.find((e) => e.action === "import.downloaded")!.details).toMatchObject({ file: "ImportParameters.zip" });
    expect((await verifyAudit(deps.db)).ok).toBe(true);
  });

  it("imports an RSA private key wrapped with RSA_AES_KEY_WRAP_SHA_256; the public key fingerprint matches openssl's", async () => {
    const key = await newKey(deps, "RSA_2048");
    const { requestId } = await startImport(deps, devon, startInput(key, { wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    const { blob, dir, verify } = await wrapLikeACustodian(deps, requestId, devon);
    await uploadBlob(deps, devon, requestId, blob);
    const outcome = await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
    expect(outcome.execution).toMatchObject({ ok: true });
    const verification = (outcome.execution as { verification: VerificationResult }).verification;
    expect(verification).toMatchObject({ method: "public_key_fingerprint", ok: true });
    const offline = (await bash(verify!.command, dir)).split(/\s/)[0];
    expect((verification as { sha256: string }).sha256).toBe(offline);
  });

  it("imports an HMAC key; its key check value equals openssl's HMAC of the fixed message", async () => {
    const key = await newKey(deps, "HMAC_384");
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_1", wrappingKeySpec: "RSA_2048" }));
    const { blob, dir, verify } = await wrapLikeACustodian(deps, requestId);
    await uploadBlob(deps, casey, requestId, blob);
    const outcome = await decide(deps, blake, await reviewed(deps, { requestId, decision: "approve" }));
    const verification = (outcome.execution as { verification: VerificationResult }).verification as Extract<VerificationResult, { method: "key_check_value"; ok: true }>;
    expect(verification.macAlgorithm).toBe("HMAC_SHA_384");
    const offline = (await bash(verify!.command, dir)).trim().split("= ")[1];
    expect(verification.mac).toBe(offline);
    // Verifying again is audited again.
    const again = await verifyImport(deps, casey, requestId);
    expect(again).toMatchObject({ ok: true, mac: offline });
    expect((await actionsOf(deps, requestId)).filter((a) => a === "import.verified")).toHaveLength(2);
    // Auditors only read: verification calls KMS, so it is refused to them before any call.
    await expectRefusal(verifyImport(deps, riley, requestId), "forbidden");
    expect((await actionsOf(deps, requestId)).filter((a) => a === "import.verified")).toHaveLength(2);
  });

  it("keeps dual control: the requester and the uploader cannot approve, and a quorum of two needs two others", async () => {
    const quorum2 = { ...deps, approvalsRequired: 2 };
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    // An admin starts it and Devon uploads: neither may approve; admins are no exception.
    const { requestId } = await startImport(quorum2, morgan, startInput(key, { wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    const { blob } = await wrapLikeACustodian(quorum2, requestId, devon);
    await uploadBlob(quorum2, devon, requestId, blob);
    await expectRefusal(decide(quorum2, morgan, await reviewed(quorum2, { requestId, decision: "approve" })), "self_approval", /You started this request, so you cannot approve it/);
    await expectRefusal(decide(quorum2, both(devon), await reviewed(quorum2, { requestId, decision: "approve" })), "self_approval", /You uploaded the key material/);
    await expectRefusal(decide(quorum2, morgan, await reviewed(quorum2, { requestId, decision: "reject", comment: "no" })), "self_approval", /cancel it instead/);

    const first = await decide(quorum2, avery, await reviewed(quorum2, { requestId, decision: "approve" }));
    expect(first).toMatchObject({ state: "awaiting_approval", approvals: 1, required: 2, execution: null });
    await expectRefusal(decide(quorum2, avery, await reviewed(quorum2, { requestId, decision: "approve" })), "already_decided");
    // An approval of another blob than the one reviewed is refused.
    await expectRefusal(decide(quorum2, blake, await reviewed(quorum2, { requestId, decision: "approve", blobSha256: "0".repeat(64) })), "blob_changed");
    const second = await decide(quorum2, blake, await reviewed(quorum2, { requestId, decision: "approve" }));
    expect(second).toMatchObject({ state: "imported", approvals: 2, execution: { ok: true } });

    // A rejection closes a request; the key is untouched.
    const other = await newKey(deps, "HMAC_256");
    const rejected = await startImport(quorum2, casey, startInput(other, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    const wrapped = await wrapLikeACustodian(quorum2, rejected.requestId);
    await uploadBlob(quorum2, casey, rejected.requestId, wrapped.blob);
    await expectRefusal(decide(quorum2, blake, await reviewed(quorum2, { requestId: rejected.requestId, decision: "reject" })), "invalid_input");
    expect(await decide(quorum2, blake, await reviewed(quorum2, { requestId: rejected.requestId, decision: "reject", comment: "Not scheduled" }))).toMatchObject({ state: "rejected" });
    expect((await describeKeyState(deps, other.arn)).KeyState).toBe("PendingImport");
  });

  it("imports exactly once when two approvers approve at the same moment", async () => {
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    const { blob } = await wrapLikeACustodian(deps, requestId);
    await uploadBlob(deps, casey, requestId, blob);
    await admin.reset();
    const decision = await reviewed(deps, { requestId, decision: "approve" });
    const results = await Promise.allSettled([decide(deps, avery, decision), decide(deps, blake, decision), decide(deps, morgan, decision)]);
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    expect(fulfilled).toHaveLength(1);
    expect((fulfilled[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof decide>>>).value).toMatchObject({ state: "imported" });
    for (const r of results.filter((x) => x.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(KeyportError);
      expect(["invalid_state", "conflict"]).toContain(((r as PromiseRejectedResult).reason as KeyportError).code);
    }
    expect((await admin.getCallCounts()).ImportKeyMaterial).toBe(1);
    expect((await actionsOf(deps, requestId)).filter((a) => a === "import.imported")).toHaveLength(1);
  });

  // PostgreSQL only: PGlite runs one transaction at a time (next test), so nothing can overlap there.
  it.runIf(driver === "postgres")("counts both approvals when two approvers complete a quorum of 2 at the same moment", async () => {
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    const { blob } = await wrapLikeACustodian(deps, requestId);
    await uploadBlob(deps, casey, requestId, blob);
    await admin.reset();
    const decision = await reviewed(deps, { requestId, decision: "approve" });
    // The first approver to hold the row lock keeps its transaction open until the second has tried to take it:
    // the second is then either queued on the lock (it holds) or already past it (the lock is gone).
    let locked = 0;
    const racing: ImportDeps = {
      ...deps,
      approvalsRequired: 2,
      afterRequestLocked: async () => {
        if (++locked === 1) await untilSecondTried(deps, () => locked);
      },
    };
    const outcomes = await Promise.all([decide(racing, avery, decision), decide(racing, blake, decision)]);
    expect(outcomes.map((o) => o.approvals).sort()).toEqual([1, 2]);
    expect(outcomes.map((o) => o.state).sort()).toEqual(["awaiting_approval", "imported"]);
    expect((await admin.getCallCounts()).ImportKeyMaterial).toBe(1);
  });

  it.runIf(driver === "pglite")("runs one transaction at a time on PGlite, so the approval races are forced only on PostgreSQL", async () => {
    const order: string[] = [];
    let releaseFirst!: () => void;
    const held = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstBegan!: () => void;
    const began = new Promise<void>((resolve) => (firstBegan = resolve));
    const first = deps.db.transaction(async () => {
      order.push("first begins");
      firstBegan();
      await held;
      order.push("first ends");
    });
    await began;
    const second = deps.db.transaction(async () => {
      order.push("second begins");
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(order).toEqual(["first begins"]); // the second waits without taking any lock
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(["first begins", "first ends", "second begins"]);
  });

  it("leaves a request failed on a KMS error, explains it, and retries it while the token lives", async () => {
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    const { blob } = await wrapLikeACustodian(deps, requestId);
    await uploadBlob(deps, casey, requestId, blob);
    await admin.injectFaults({ type: "KMSInternalException", rate: 1, operation: "ImportKeyMaterial" });
    try {
      const outcome = await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
      expect(outcome).toMatchObject({ state: "failed", execution: { ok: false, code: "kms_internal", retryable: true } });
      const details = (await requestDetails(deps, requestId))!;
      expect(details.request).toMatchObject({ state: "failed", lastErrorCode: "kms_internal" });
      expect(details.request.lastErrorMessage).toMatch(/internal error.*try again/i);
      await expectRefusal(retryRequest(deps, both(casey), requestId), "self_approval");
    } finally {
      await admin.reset();
    }
    const retried = await retryRequest(deps, blake, requestId);
    expect(retried).toMatchObject({ ok: true });
    expect(await actionsOf(deps, requestId)).toEqual([
      "import.requested",
      "import.parameters_issued",
      "import.downloaded",
      "import.uploaded",
      "import.approved",
      "import.failed",
      "auth.access_denied",
      "import.retried",
      "import.imported",
      "import.verified",
    ]);
  });

  it("fails on material wrapped for another key pair, and recovers by reissuing parameters", async () => {
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    // Right size, wrong bytes: KMS cannot unwrap it.
    await uploadBlob(deps, casey, requestId, randomBytes(256));
    const outcome = await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
    expect(outcome.execution).toMatchObject({ ok: false, code: "invalid_ciphertext", retryable: false });
    const firstParameters = (await requestDetails(deps, requestId))!.parameters!;
    await issueParameters(deps, casey, requestId);
    const reissued = (await requestDetails(deps, requestId))!;
    expect(reissued.request.state).toBe("parameters_issued");
    expect(reissued.parameterSets).toBe(2);
    expect(reissued.parameters!.publicKeySha256).not.toBe(firstParameters.publicKeySha256);
    expect(reissued.blob).toBeNull();
    const { blob } = await wrapLikeACustodian(deps, requestId);
    await uploadBlob(deps, casey, requestId, blob);
    // Avery's approval was of the old blob: it no longer counts, and Avery may decide again.
    expect(await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }))).toMatchObject({ state: "imported" });
  });

  it("rotates a symmetric key to new imported material (NEW_KEY_MATERIAL, then RotateKeyOnDemand)", async () => {
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    const first = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    await uploadBlob(deps, casey, first.requestId, (await wrapLikeACustodian(deps, first.requestId)).blob);
    const imported = await decide(deps, avery, await reviewed(deps, { requestId: first.requestId, decision: "approve" }));
    const firstMaterial = (imported.execution as { keyMaterialId: string }).keyMaterialId;

    // Without a rotation, new material into an enabled key is refused with the way forward.
    await expectRefusal(
      startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048", importType: "NEW_KEY_MATERIAL" })),
      "invalid_input",
      /request a rotation/,
    );
    const rotation = await startImport(deps, casey, startInput(key, { kind: "rotate", wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    await uploadBlob(deps, casey, rotation.requestId, (await wrapLikeACustodian(deps, rotation.requestId)).blob);
    const rotated = await decide(deps, blake, await reviewed(deps, { requestId: rotation.requestId, decision: "approve" }));
    expect(rotated).toMatchObject({ state: "imported", execution: { ok: true, verification: { ok: true, sameMaterial: true } } });
    const newMaterial = (rotated.execution as { keyMaterialId: string }).keyMaterialId;
    expect(newMaterial).not.toBe(firstMaterial);
    expect((await describeKeyState(deps, key.arn)).CurrentKeyMaterialId).toBe(newMaterial);
    expect((await actionsOf(deps, rotation.requestId)).slice(-4)).toEqual(["import.approved", "import.imported", "material.rotated", "import.verified"]);
  });

  it("refuses a single-key rotation of a multi-Region key, primary or replica, before asking KMS for anything", async () => {
    const kms = deps.kms.kms("prod", REGION, { kind: "service" });
    const primary = (await kms.send(new DescribeKeyCommand({ KeyId: "alias/keyport/payments-mrk" }))).KeyMetadata!;
    expect(primary).toMatchObject({ MultiRegion: true, KeyState: "Enabled" });
    await deps.inventory.refreshKey("prod", REGION, primary.KeyId!);
    await deps.inventory.refreshKey("prod", "us-east-1", primary.KeyId!);
    const rotate = { kind: "rotate", wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" };
    await expectRefusal(startImport(deps, casey, startInput({ targetId: "prod", region: REGION, keyId: primary.KeyId! }, rotate)), "invalid_input", /every one of its Regions/);
    await expectRefusal(
      startImport(deps, casey, startInput({ targetId: "prod", region: "us-east-1", keyId: primary.KeyId! }, rotate)),
      "invalid_input",
      /primary key in eu-west-1/,
    );
    expect(await listImportRequests(deps, { key: { targetId: "prod", region: REGION, keyId: primary.KeyId! } })).toEqual([]);
  });

  it("keeps a draft with the error when KMS refuses the parameters, and can cancel it", async () => {
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    await admin.injectFaults({ type: "DependencyTimeoutException", rate: 1, operation: "GetParametersForImport" });
    let requestId: string;
    try {
      const started = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
      expect(started.parametersError).toMatchObject({ code: "dependency_timeout" });
      requestId = started.requestId;
      expect((await requestDetails(deps, requestId))!.request).toMatchObject({ state: "draft", lastErrorCode: "dependency_timeout" });
    } finally {
      await admin.reset();
    }
    await issueParameters(deps, casey, requestId);
    expect((await requestDetails(deps, requestId))!.request).toMatchObject({ state: "parameters_issued", lastErrorCode: null });
    // Another custodian cannot end a request that is not theirs; its requester can.
    await expectRefusal(cancelRequest(deps, devon, requestId, "Wrong key"), "forbidden");
    await cancelRequest(deps, casey, requestId, "Wrong key");
    await expectRefusal(buildDownload(deps, casey, requestId, "WrappingPublicKey.bin"), "gone");
    await expectRefusal(cancelRequest(deps, casey, requestId), "invalid_state");
  });

  it("moves the change stamps pages poll exactly when what they show changes", async () => {
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    const queueBefore = await changeStamp(deps);
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    const issued = await changeStamp(deps, requestId);
    expect(await changeStamp(deps)).not.toBe(queueBefore); // a new request
    expect(await changeStamp(deps, requestId)).toBe(issued); // nothing happened

    await buildDownload(deps, casey, requestId, "ImportToken.bin");
    const downloaded = await changeStamp(deps, requestId);
    expect(downloaded).not.toBe(issued); // the history shows the download

    const { blob } = await wrapLikeACustodian(deps, requestId);
    await uploadBlob(deps, casey, requestId, blob);
    const uploaded = await changeStamp(deps, requestId);
    const queueWaiting = await changeStamp(deps);
    expect(uploaded).not.toBe(downloaded);

    await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
    expect(await changeStamp(deps, requestId)).not.toBe(uploaded);
    expect(await changeStamp(deps)).not.toBe(queueWaiting);
    expect(await changeStamp(deps, "00000000-0000-4000-8000-000000000000")).toBe("0.0.0"); // no such request
  });

  it("does not expire a rotation whose material is imported: its retry only rotates, and needs no token", async () => {
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    const first = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    await uploadBlob(deps, casey, first.requestId, (await wrapLikeACustodian(deps, first.requestId)).blob);
    await decide(deps, avery, await reviewed(deps, { requestId: first.requestId, decision: "approve" }));

    const start = Date.now();
    const clock = fixedClock(start);
    try {
      // Parameters issued "23 h 50 min ago" by KMS's clock, as in the expiry case below: 10 minutes left.
      await admin.setClock(start - 24 * 3600_000 + 10 * 60_000);
      const rotation = await startImport(deps, casey, startInput(key, { kind: "rotate", wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
      await admin.setClock(start);
      await uploadBlob(deps, casey, rotation.requestId, (await wrapLikeACustodian(deps, rotation.requestId)).blob);
      await admin.injectFaults({ type: "KMSInternalException", rate: 1, operation: "RotateKeyOnDemand" });
      const outcome = await decide(deps, blake, await reviewed(deps, { requestId: rotation.requestId, decision: "approve" }));
      await admin.reset();
      expect(outcome).toMatchObject({ state: "failed", execution: { ok: false, code: "kms_internal" } });
      const imported = (await requestDetails(deps, rotation.requestId))!.request.keyMaterialId;
      expect(imported).toEqual(expect.any(String));

      // The token runs out. The new material is already in KMS, pending rotation: nothing here needs the token.
      await admin.setClock(start + 11 * 60_000);
      clock.advance(11 * 60_000);
      expect(await sweepOnce(deps)).toMatchObject({ expired: 0 });
      expect((await requestDetails(deps, rotation.requestId))!.request.state).toBe("failed");
      // New parameters would import a second material: refused, with the way forward.
      await expectRefusal(issueParameters(deps, casey, rotation.requestId), "invalid_state", /retry to rotate the key/);

      const retried = await retryRequest(deps, avery, rotation.requestId);
      expect(retried).toMatchObject({ ok: true });
      expect((await describeKeyState(deps, key.arn)).CurrentKeyMaterialId).toBe(imported);
      const calls = await admin.getCallCounts();
      expect(calls.ImportKeyMaterial ?? 0).toBe(0); // retried by rotating only, never importing again
      expect((await requestDetails(deps, rotation.requestId))!.request.state).toBe("imported");
    } finally {
      clock.restore();
      await admin.reset();
      await admin.setClock(Date.now());
    }
  });

  it("expires a token on the server (emulator and app clocks), refuses downloads and uploads, and reissues", async () => {
    const key = await newKey(deps, "HMAC_256");
    const start = Date.now();
    const clock = fixedClock(start);
    try {
      // KMS issues the parameters "23 h 50 min ago" by the emulator's clock: they have 10 minutes left.
      // (Moving the emulator back rather than both clocks a day forward keeps the assumed-role sessions the
      // SDK has cached valid, as they would be in AWS.)
      await admin.setClock(start - 24 * 3600_000 + 10 * 60_000);
      const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
      await admin.setClock(start);
      const { blob } = await wrapLikeACustodian(deps, requestId);
      await uploadBlob(deps, casey, requestId, blob);
      const validTo = (await requestDetails(deps, requestId))!.parameters!.parametersValidTo;
      expect(Math.round((validTo.getTime() - nowMs()) / 60_000)).toBe(10);

      // Eleven minutes later, in AWS and in Keyport.
      await admin.setClock(start + 11 * 60_000);
      clock.advance(11 * 60_000);
      expect(await sweepOnce(deps)).toMatchObject({ expired: 1 });
      expect((await requestDetails(deps, requestId))!.request.state).toBe("expired");
      await expectRefusal(buildDownload(deps, casey, requestId, "ImportToken.bin"), "parameters_expired", /expired at/);
      const refusal = await expectRefusal(uploadBlob(deps, casey, requestId, blob), "parameters_expired");
      expect(refusal.status).toBe(410);
      await expectRefusal(decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" })), "parameters_expired");
      const expired = (await listAuditEvents(deps.db, { requestId, action: "import.expired" })).events;
      expect(expired).toHaveLength(1);
      expect(expired[0]!.actor.kind).toBe("system");

      // The custodian reissues, wraps again with the new key, and the import goes through.
      await issueParameters(deps, casey, requestId);
      const again = await wrapLikeACustodian(deps, requestId);
      await uploadBlob(deps, casey, requestId, again.blob);
      expect(await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }))).toMatchObject({ state: "imported" });
    } finally {
      clock.restore();
      await admin.setClock(Date.now());
    }
  });

  it("reads never write: after expiry every read shows expired and writes nothing; the sweep records it once", async () => {
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    const clock = fixedClock(Date.now());
    try {
      const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
      await uploadBlob(deps, casey, requestId, (await wrapLikeACustodian(deps, requestId)).blob);
      const queueStamp = await changeStamp(deps);
      const requestStamp = await changeStamp(deps, requestId);
      expect((await approvalQueue(deps)).waiting.map((r) => r.id)).toContain(requestId);

      clock.advance(24 * 3600_000 + 1000);
      const head = await auditHead(deps.db);
      expect((await requestDetails(deps, requestId))!.request.state).toBe("expired");
      expect((await listImportRequests(deps, { open: true })).find((r) => r.id === requestId)?.state).toBe("expired");
      expect((await listImportRequests(deps, { states: ["expired"] })).map((r) => r.id)).toContain(requestId);
      expect((await listImportRequests(deps, { states: ["awaiting_approval"] })).map((r) => r.id)).not.toContain(requestId);
      expect((await requestCounts(deps)).expired).toBeGreaterThanOrEqual(1);
      expect((await approvalQueue(deps)).waiting.map((r) => r.id)).not.toContain(requestId);
      expect((await openRequestsForKeys(deps, [key])).map((r) => r.state)).toEqual(["expired"]);
      // The change poll moves (so open pages re-render) without anything being written.
      expect(await changeStamp(deps, requestId)).not.toBe(requestStamp);
      expect(await changeStamp(deps)).not.toBe(queueStamp);
      await expectRefusal(buildDownload(deps, casey, requestId, "ImportToken.bin"), "parameters_expired", /expired at/);

      expect(await auditHead(deps.db)).toEqual(head);
      expect((await queries.getRequest(deps.db, requestId))!.state).toBe("awaiting_approval");

      // The sweep records the expiry, once.
      expect(await sweepOnce(deps)).toMatchObject({ expired: 1 });
      expect(await sweepOnce(deps)).toMatchObject({ expired: 0 });
      expect((await queries.getRequest(deps.db, requestId))!.state).toBe("expired");
      expect((await listAuditEvents(deps.db, { requestId, action: "import.expired" })).events).toHaveLength(1);
      expect((await auditHead(deps.db)).lastSeq).toBe(head.lastSeq + 1);
    } finally {
      clock.restore();
    }
  });

  it("the next state-changing action records an expiry that reads only showed, once", async () => {
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    const clock = fixedClock(Date.now());
    try {
      const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
      clock.advance(24 * 3600_000 + 1000);
      const head = await auditHead(deps.db);
      expect((await requestDetails(deps, requestId))!.request.state).toBe("expired");
      expect((await auditHead(deps.db)).lastSeq).toBe(head.lastSeq);

      await admin.setClock(nowMs()); // KMS agrees on the time, so the new pair is valid for 24 hours
      await issueParameters(deps, casey, requestId);
      const trail = (await listAuditEvents(deps.db, { requestId })).events.filter((e) => e.seq > head.lastSeq).reverse();
      expect(trail.map((e) => e.action)).toEqual(["import.expired", "import.parameters_issued"]);
      expect((await requestDetails(deps, requestId))!.request.state).toBe("parameters_issued");
      expect(await sweepOnce(deps)).toMatchObject({ expired: 0 });

      // Closing an expired request records the expiry first, too.
      clock.advance(24 * 3600_000 + 1000);
      const before = (await auditHead(deps.db)).lastSeq;
      await cancelRequest(deps, casey, requestId);
      const closing = (await listAuditEvents(deps.db, { requestId })).events.filter((e) => e.seq > before).reverse();
      expect(closing.map((e) => e.action)).toEqual(["import.expired", "import.cancelled"]);
    } finally {
      clock.restore();
      await admin.setClock(Date.now());
    }
  });
});

/**
 * Resolves once a second transaction has tried to take the lock the caller holds: PostgreSQL shows it waiting
 * for a lock in this database, or it got through (`reached()` counts it), which means there was no lock.
 */
async function untilSecondTried(deps: ImportDeps, reached: () => number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (reached() > 1) return;
    const waiting = await deps.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid where not l.granted and a.datname = current_database()`,
    );
    if (waiting.rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("The second approver never reached the request's lock.");
}
