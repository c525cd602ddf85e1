import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { ImportDeps } from "@/lib/imports/deps";
import { avery, casey, devon, importHarness, REGION, reviewed, startInput } from "@/lib/imports/testing";
import { decide, requestMaterialDeletion, startImport, uploadBlob } from "@/lib/imports/workflow";
import { keyMaterialHistory } from "./index";
import { cachedMaterialHistory, forgetMaterialHistory, MATERIAL_HISTORY_TTL_MS } from "./material-history";

/**
 * Key pages must not cost a KMS call per view: the material history is remembered per key for a short while,
 * one call in flight is shared, and Keyport's own changes to the key are seen at once. Counted at the emulator
 * (real SDK over HTTP, real database, real import workflow).
 */

const h = importHarness({ prefix: "keyport-material-history-" });

describe.each(testDrivers())("key material history on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = h.makeDeps(db);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  const listCalls = async () => (await h.admin.getCallCounts()).ListKeyRotations ?? 0;
  const history = (keyId: string) => keyMaterialHistory("prod", REGION, keyId, { db: deps.db, kms: deps.kms });

  it("asks KMS once for 50 views, and again once Keyport changed the key's material", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    await uploadBlob(deps, devon, requestId, (await h.wrapLikeACustodian(deps, requestId, devon)).blob);
    await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));

    const before = await listCalls();
    const views = await Promise.all(Array.from({ length: 50 }, () => history(key.keyId)));
    expect(await listCalls()).toBe(before + 1);
    expect(views[0]!.entries).toHaveLength(1);
    expect(views[0]!.entries[0]!.state).toBeTruthy();
    for (const view of views) expect(view!.entries).toEqual(views[0]!.entries);
    // Sequential views within the TTL are answered from memory too.
    for (let i = 0; i < 5; i++) await history(key.keyId);
    expect(await listCalls()).toBe(before + 1);

    // Keyport deletes the material: the next view reads KMS again and shows the change.
    const deletion = await requestMaterialDeletion(deps, casey, { target: key.targetId, region: key.region, keyId: key.keyId, justification: "Cache check of a deletion" });
    await decide(deps, avery, await reviewed(deps, { requestId: deletion.requestId, decision: "approve" }));
    const afterChange = await listCalls();
    const fresh = await history(key.keyId);
    expect(await listCalls()).toBe(afterChange + 1);
    expect(fresh!.entries).not.toEqual(views[0]!.entries);
  });
});

describe("the per-key memory", () => {
  const entry = (id: string) => [{ keyMaterialId: id }] as never;

  it("expires after the TTL, keeps no failure, and never stores a read the key was forgotten during", async () => {
    let t = 1_000_000;
    const clock = () => t;
    let loads = 0;
    const load = async () => entry(`m${++loads}`);
    await cachedMaterialHistory("t", "r", "k1", load, clock);
    await cachedMaterialHistory("t", "r", "k1", load, clock);
    expect(loads).toBe(1);
    t += MATERIAL_HISTORY_TTL_MS;
    await cachedMaterialHistory("t", "r", "k1", load, clock);
    expect(loads).toBe(2);

    await expect(cachedMaterialHistory("t", "r", "k2", async () => Promise.reject(new Error("throttled")), clock)).rejects.toThrow("throttled");
    expect(await cachedMaterialHistory("t", "r", "k2", load, clock)).toEqual(entry("m3"));

    let release!: () => void;
    const slow = cachedMaterialHistory("t", "r", "k3", () => new Promise((resolve) => (release = () => resolve(entry("old")))), clock);
    forgetMaterialHistory("t", "r", "k3");
    release();
    expect(await slow).toEqual(entry("old"));
    expect(await cachedMaterialHistory("t", "r", "k3", load, clock)).toEqual(entry("m4"));
  });
});
