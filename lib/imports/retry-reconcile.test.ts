import { eq } from "drizzle-orm";
import { unzipSync } from "fflate";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents, verifyAudit } from "@/lib/audit";
import { tables } from "@/lib/db";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { ImportDeps } from "./deps";
import { custodianCommands } from "./commands";
import { buildDownload } from "./downloads";
import * as queries from "./queries";
import { actionsOf, avery, bash, blake, casey, commandInputFor, importHarness, reviewed, startInput } from "./testing";
import { decide, recoverInterrupted, retryRequest, startImport, uploadBlob } from "./workflow";

/**
 * A retry after an ambiguous failure — KMS carried the import out but its answer was lost — must not import
 * a second time: it asks KMS what the key holds and completes the request from that. The emulator's
 * "after" faults apply the call and then answer with an error; its call counts say how often
 * ImportKeyMaterial really ran.
 */

const h = importHarness({ prefix: "keyport-reconcile-" });
const RSA = { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" };

describe.each(testDrivers())("retrying after an ambiguous failure on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = h.makeDeps(db);
  });
  afterAll(async () => {
    await db?.cleanup();
  });
  afterEach(async () => {
    await h.admin.reset();
  });

  async function imports(): Promise<number> {
    return (await h.admin.getCallCounts()).ImportKeyMaterial ?? 0;
  }

  /** Wraps `material` (the bytes a key already holds) with this request's parameters, as the custodian would. */
  async function wrapSameMaterial(requestId: string, dir: string, material: Buffer): Promise<Buffer> {
    const request = (await queries.getRequest(deps.db, requestId))!;
    const files = unzipSync((await buildDownload(deps, casey, requestId, "ImportParameters.zip")).body);
    for (const name of ["WrappingPublicKey.bin", "WrappingPublicKey.pem", "ImportToken.bin"]) await writeFile(join(dir, name), files[name]!);
    await writeFile(join(dir, "material.bin"), material);
    const steps = custodianCommands(commandInputFor(request));
    await bash(steps.find((step) => step.id === "wrap")!.command, dir);
    return readFile(join(dir, "EncryptedKeyMaterial.bin"));
  }

  async function approveWithLostAnswer(requestId: string, when: "before" | "after", blob?: Buffer) {
    await uploadBlob(deps, casey, requestId, blob ?? (await h.wrapLikeACustodian(deps, requestId)).blob);
    await h.admin.reset();
    await h.admin.injectFaults({ type: "DependencyTimeoutException", rate: 1, operation: "ImportKeyMaterial", when });
    const outcome = await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
    expect(outcome.execution).toMatchObject({ ok: false, code: "dependency_timeout" });
    await h.admin.injectFaults({ type: "DependencyTimeoutException", rate: 0, operation: "ImportKeyMaterial", when });
  }

  async function importedEvent(requestId: string) {
    const { events } = await listAuditEvents(deps.db, { requestId, action: "import.imported" });
    expect(events).toHaveLength(1);
    return events[0]!;
  }

  it("completes a first import that KMS applied, without calling ImportKeyMaterial again", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, RSA));
    await approveWithLostAnswer(requestId, "after");
    expect((await h.describeKeyState(deps, key.arn)).KeyState).toBe("Enabled");

    const retried = await retryRequest(deps, blake, requestId);
    expect(retried).toMatchObject({ ok: true, verification: { ok: true, sameMaterial: true } });
    expect(await imports()).toBe(1);
    const current = (await h.describeKeyState(deps, key.arn)).CurrentKeyMaterialId;
    expect((await queries.getRequest(deps.db, requestId))!).toMatchObject({ state: "imported", keyMaterialId: current });
    expect((await importedEvent(requestId)).details).toMatchObject({ keyMaterialId: current, recoveredFromKms: true });
    expect(await actionsOf(deps, requestId)).toEqual([
      "import.requested",
      "import.parameters_issued",
      "import.downloaded",
      "import.uploaded",
      "import.approved",
      "import.failed",
      "import.retried",
      "import.imported",
      "import.verified",
    ]);
    await expect(verifyAudit(deps.db)).resolves.toMatchObject({ ok: true });
  });

  it("completes a rotation whose import KMS applied: the material pending rotation is rotated to, not imported again", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const first = await startImport(deps, casey, startInput(key, RSA));
    await uploadBlob(deps, casey, first.requestId, (await h.wrapLikeACustodian(deps, first.requestId)).blob);
    await decide(deps, avery, await reviewed(deps, { requestId: first.requestId, decision: "approve" }));
    const firstMaterial = (await queries.getRequest(deps.db, first.requestId))!.keyMaterialId;

    const { requestId } = await startImport(deps, casey, startInput(key, { kind: "rotate", ...RSA }));
    await approveWithLostAnswer(requestId, "after");
    const retried = await retryRequest(deps, blake, requestId);
    expect(retried).toMatchObject({ ok: true });
    expect(await imports()).toBe(1);
    const current = (await h.describeKeyState(deps, key.arn)).CurrentKeyMaterialId;
    expect(current).not.toBe(firstMaterial);
    expect((await queries.getRequest(deps.db, requestId))!).toMatchObject({ state: "imported", keyMaterialId: current });
    expect((await importedEvent(requestId)).details).toMatchObject({ keyMaterialId: current, recoveredFromKms: true });
    expect((await actionsOf(deps, requestId)).slice(-5)).toEqual(["import.failed", "import.retried", "import.imported", "material.rotated", "import.verified"]);
    await expect(verifyAudit(deps.db)).resolves.toMatchObject({ ok: true });
  });

  it("completes a rotation whose RotateKeyOnDemand KMS applied: the retry does not rotate again", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const first = await startImport(deps, casey, startInput(key, RSA));
    await uploadBlob(deps, casey, first.requestId, (await h.wrapLikeACustodian(deps, first.requestId)).blob);
    await decide(deps, avery, await reviewed(deps, { requestId: first.requestId, decision: "approve" }));

    const { requestId } = await startImport(deps, casey, startInput(key, { kind: "rotate", ...RSA }));
    await uploadBlob(deps, casey, requestId, (await h.wrapLikeACustodian(deps, requestId)).blob);
    await h.admin.reset();
    await h.admin.injectFaults({ type: "DependencyTimeoutException", rate: 1, operation: "RotateKeyOnDemand", when: "after" });
    const outcome = await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
    expect(outcome.execution).toMatchObject({ ok: false, code: "dependency_timeout" });
    await h.admin.injectFaults({ type: "DependencyTimeoutException", rate: 0, operation: "RotateKeyOnDemand", when: "after" });
    const rotatedTo = (await queries.getRequest(deps.db, requestId))!.keyMaterialId;
    expect((await h.describeKeyState(deps, key.arn)).CurrentKeyMaterialId).toBe(rotatedTo);

    expect(await retryRequest(deps, blake, requestId)).toMatchObject({ ok: true });
    expect((await h.admin.getCallCounts()).RotateKeyOnDemand).toBe(1);
    expect((await queries.getRequest(deps.db, requestId))!).toMatchObject({ state: "imported", keyMaterialId: rotatedTo });
    const { events } = await listAuditEvents(deps.db, { requestId, action: "material.rotated" });
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ recoveredFromKms: true });
    await expect(verifyAudit(deps.db)).resolves.toMatchObject({ ok: true });
  });

  it("completes a reimport of the same material that KMS applied with the new expiration", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const first = await startImport(deps, casey, startInput(key, RSA));
    const custodian = await h.wrapLikeACustodian(deps, first.requestId);
    await uploadBlob(deps, casey, first.requestId, custodian.blob);
    await decide(deps, avery, await reviewed(deps, { requestId: first.requestId, decision: "approve" }));
    const material = (await queries.getRequest(deps.db, first.requestId))!.keyMaterialId;

    const validTo = new Date(Math.floor((Date.now() + 30 * 24 * 3600_000) / 1000) * 1000).toISOString();
    const { requestId } = await startImport(
      deps,
      casey,
      startInput(key, { ...RSA, importType: "EXISTING_KEY_MATERIAL", expirationModel: "KEY_MATERIAL_EXPIRES", validTo }),
    );
    await approveWithLostAnswer(requestId, "after", await wrapSameMaterial(requestId, custodian.dir, custodian.material));
    expect((await h.describeKeyState(deps, key.arn)).ValidTo?.toISOString()).toBe(validTo);

    expect(await retryRequest(deps, blake, requestId)).toMatchObject({ ok: true });
    expect(await imports()).toBe(1);
    expect((await queries.getRequest(deps.db, requestId))!).toMatchObject({ state: "imported", keyMaterialId: material });
    expect((await importedEvent(requestId)).details).toMatchObject({ keyMaterialId: material, recoveredFromKms: true });
    await expect(verifyAudit(deps.db)).resolves.toMatchObject({ ok: true });
  });

  it("completes a request the sweep marked interrupted after KMS had imported it", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, RSA));
    await approveWithLostAnswer(requestId, "after");
    // As if the server had stopped instead: the request back in `importing`, then found by the sweep.
    await deps.db.update(tables.importRequests).set({ state: "importing", updatedAt: new Date(0) }).where(eq(tables.importRequests.id, requestId));
    expect(await recoverInterrupted(deps)).toBeGreaterThanOrEqual(1);
    expect((await queries.getRequest(deps.db, requestId))!).toMatchObject({ state: "failed", lastErrorCode: "interrupted" });

    expect(await retryRequest(deps, blake, requestId)).toMatchObject({ ok: true });
    expect(await imports()).toBe(1);
    expect((await importedEvent(requestId)).details).toMatchObject({ recoveredFromKms: true });
    await expect(verifyAudit(deps.db)).resolves.toMatchObject({ ok: true });
  });

  it("counts a request as interrupted after the configured limit, not before", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, RSA));
    await approveWithLostAnswer(requestId, "after");
    const limited = { ...deps, interruptedAfterMs: 30_000 };
    const since = (ms: number) => new Date(deps.now().getTime() - ms);
    await deps.db.update(tables.importRequests).set({ state: "importing", updatedAt: since(20_000) }).where(eq(tables.importRequests.id, requestId));
    await recoverInterrupted(limited);
    expect((await queries.getRequest(deps.db, requestId))!.state).toBe("importing");
    await deps.db.update(tables.importRequests).set({ updatedAt: since(31_000) }).where(eq(tables.importRequests.id, requestId));
    await recoverInterrupted(limited);
    expect((await queries.getRequest(deps.db, requestId))!).toMatchObject({ state: "failed", lastErrorCode: "interrupted" });
  });

  it("imports on retry when the failed call never reached KMS, and says nothing was recovered", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, RSA));
    await approveWithLostAnswer(requestId, "before");
    expect((await h.describeKeyState(deps, key.arn)).KeyState).toBe("PendingImport");
    expect(await retryRequest(deps, blake, requestId)).toMatchObject({ ok: true });
    expect(await imports()).toBe(2);
    expect((await importedEvent(requestId)).details).not.toHaveProperty("recoveredFromKms");
    await expect(verifyAudit(deps.db)).resolves.toMatchObject({ ok: true });
  });
});
