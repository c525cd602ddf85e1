import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/audit";
import { fixedClock } from "@/lib/clock";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { ImportDeps } from "./deps";
import { buildDownload, servedDigests } from "./downloads";
import { permissionsFor, requestFacts } from "./permissions";
import * as queries from "./queries";
import { requestDetails } from "./read";
import { approvalConfirmation, decisionSchema, NO_BLOB, type Decision } from "./schemas";
import { actionsOf, avery, blake, casey, devon, expectRefusal, reviewed, startInput, importHarness } from "./testing";
import { decide, issueParameters, requestMaterialDeletion, retryRequest, startImport, uploadBlob } from "./workflow";

/**
 * A failed import recovered while its token lives, and approvals that name what the approver checked: the
 * real SDK against the emulator, the real database (PGlite, and PostgreSQL with DATABASE_URL).
 */

const h = importHarness({ prefix: "keyport-recovery-" });

describe.each(testDrivers())("recovering a failed import on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = h.makeDeps(db);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  async function pageView(requestId: string, person: { id: string; roles: readonly string[] }) {
    const details = (await requestDetails(deps, requestId))!;
    return permissionsFor(requestFacts(details, { approvalsRequired: deps.approvalsRequired, now: deps.now().getTime() }), person);
  }

  it("takes a new upload after KMS refused material wrapped with the superseded key, and imports it after a fresh approval", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    // The custodian wraps with the first public key; then the parameters are reissued.
    const stale = await h.wrapLikeACustodian(deps, requestId);
    await issueParameters(deps, casey, requestId);
    await uploadBlob(deps, casey, requestId, stale.blob);
    const outcome = await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
    expect(outcome.execution).toMatchObject({ ok: false, code: "invalid_ciphertext" });

    // The page offers the files and the upload, and says which step is next.
    const view = await pageView(requestId, { id: devon.subject, roles: devon.roles });
    expect(view.effectiveState).toBe("failed");
    expect(view.download).toEqual({ allowed: true });
    expect(view.upload).toEqual({ allowed: true });
    expect(view.nextStep).toBe(
      "Download the parameters again and wrap the material with this request's WrappingPublicKey.bin, then upload it; a fresh approval is needed.",
    );

    // The server agrees: every file is handed out again, and the new upload is taken.
    for (const file of ["WrappingPublicKey.bin", "WrappingPublicKey.pem", "ImportToken.bin"] as const) {
      expect((await buildDownload(deps, devon, requestId, file)).body.length).toBeGreaterThan(0);
    }
    const fresh = await h.wrapLikeACustodian(deps, requestId, devon);
    await uploadBlob(deps, devon, requestId, fresh.blob);
    const waiting = (await requestDetails(deps, requestId))!;
    expect(waiting.request).toMatchObject({ state: "awaiting_approval", lastErrorCode: null, lastErrorMessage: null });
    // Avery's approval was of the refused blob: it no longer counts, so a fresh approval is needed.
    const afterUpload = await pageView(requestId, { id: avery.subject, roles: avery.roles });
    expect(afterUpload.currentApprovals).toBe(0);
    expect(afterUpload.approve).toEqual({ allowed: true });
    expect(await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }))).toMatchObject({ state: "imported", execution: { ok: true } });

    expect(await actionsOf(deps, requestId)).toEqual([
      "import.requested",
      "import.parameters_issued",
      "import.downloaded",
      "import.parameters_issued",
      "import.uploaded",
      "import.approved",
      "import.failed",
      "import.downloaded",
      "import.downloaded",
      "import.downloaded",
      "import.downloaded",
      "import.uploaded",
      "import.approved",
      "import.imported",
      "import.verified",
    ]);
    const uploads = (await listAuditEvents(deps.db, { requestId, action: "import.uploaded" })).events;
    expect(uploads[0]!.details).toMatchObject({ from: "failed", replacedSha256: expect.any(String) });
  });

  it("refuses the files and the upload of a failed import once its token has run out, sweep or not", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const clock = fixedClock(Date.now());
    try {
      const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
      await uploadBlob(deps, casey, requestId, randomBytes(256));
      await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
      expect((await queries.getRequest(deps.db, requestId))!.state).toBe("failed");
      clock.advance(24 * 3600_000 + 1000);
      await expectRefusal(buildDownload(deps, casey, requestId, "ImportToken.bin"), "parameters_expired");
      await expectRefusal(uploadBlob(deps, casey, requestId, randomBytes(256)), "parameters_expired");
      await expectRefusal(retryRequest(deps, blake, requestId), "parameters_expired");
    } finally {
      clock.restore();
    }
  });
});

describe.each(testDrivers())("what an approver confirms, on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = h.makeDeps(db);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("needs the ticked confirmation and the SHA-256 of the current blob, and records the confirmation's words", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    const first = await uploadBlob(deps, casey, requestId, randomBytes(256));

    // The schema the action parses with refuses a decision without either.
    const parsed = decisionSchema.safeParse({ requestId, decision: "approve" });
    expect(parsed.success).toBe(false);
    const issues = Object.fromEntries(parsed.error!.issues.map((i) => [i.path.join("."), i.message]));
    expect(issues.blobSha256).toMatch(/must name the SHA-256 of the blob you reviewed/);
    expect(decisionSchema.safeParse({ requestId, decision: "approve", blobSha256: first.sha256 }).error!.issues[0]).toMatchObject({
      path: ["confirmed"],
      message: expect.stringMatching(/Tick the box/),
    });
    expect(decisionSchema.safeParse({ requestId, decision: "approve", blobSha256: first.sha256, confirmed: "on" }).success).toBe(true);

    // The workflow refuses the same, whoever calls it.
    await expectRefusal(decide(deps, avery, { requestId, decision: "approve", blobSha256: first.sha256, confirmed: false }), "invalid_input", /Tick the box/);
    await expectRefusal(decide(deps, avery, { requestId, decision: "approve", confirmed: true } as unknown as Decision), "invalid_input", /SHA-256 of the blob you reviewed/);

    // Another blob is uploaded while Avery reviews the first: the decision names the old one and is refused.
    await uploadBlob(deps, casey, requestId, randomBytes(256));
    await expectRefusal(decide(deps, avery, { requestId, decision: "approve", blobSha256: first.sha256, confirmed: true }), "blob_changed", /not the one you reviewed/);
    await expectRefusal(decide(deps, avery, { requestId, decision: "reject", comment: "no", blobSha256: first.sha256, confirmed: false }), "blob_changed");
    expect((await queries.approvalsOf(deps.db, requestId)).length).toBe(0);

    await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
    const approved = (await listAuditEvents(deps.db, { requestId, action: "import.approved" })).events[0]!;
    expect(approved.details).toMatchObject({ confirmation: approvalConfirmation("import") });
    expect(approvalConfirmation("import")).toMatch(/compared the SHA-256 of the uploaded blob with the uploader/);
  });

  it("has a deletion's decision name no blob, and refuses a hash in its place", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    await uploadBlob(deps, casey, requestId, (await h.wrapLikeACustodian(deps, requestId)).blob);
    await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
    const deletion = await requestMaterialDeletion(deps, casey, { target: key.targetId, region: key.region, keyId: key.keyId, justification: "Remove it again" });
    await expectRefusal(decide(deps, blake, { requestId: deletion.requestId, decision: "approve", blobSha256: "0".repeat(64), confirmed: true }), "blob_changed");
    expect(await decide(deps, blake, { requestId: deletion.requestId, decision: "approve", blobSha256: NO_BLOB, confirmed: true })).toMatchObject({ state: "imported" });
    const approved = (await listAuditEvents(deps.db, { requestId: deletion.requestId, action: "import.approved" })).events[0]!;
    expect(approved.details).toMatchObject({ confirmation: approvalConfirmation("delete_material") });
  });

  it("shows the SHA-256 of the PEM and the zip as served, the same on every download and in every time zone", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    const details = (await requestDetails(deps, requestId))!;
    const pem = await buildDownload(deps, casey, requestId, "WrappingPublicKey.pem");
    const zip = await buildDownload(deps, casey, requestId, "ImportParameters.zip");
    expect(details.servedSha256).toEqual({ pem: pem.sha256, zip: zip.sha256 });
    expect((await buildDownload(deps, casey, requestId, "ImportParameters.zip")).sha256).toBe(zip.sha256);

    const sealed = (await queries.sealedImportToken(deps.db, details.parameters!.id))!;
    const tz = process.env.TZ;
    try {
      for (const zone of ["UTC", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham"]) {
        process.env.TZ = zone;
        expect(servedDigests(details.request, details.parameters!, sealed, deps.dataKey), zone).toEqual({ pem: pem.sha256, zip: zip.sha256 });
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });
});
