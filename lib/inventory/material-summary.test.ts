import { randomBytes } from "node:crypto";
import { RotateKeyOnDemandCommand } from "@aws-sdk/client-kms";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inventoryMaterialSummaries } from "@/lib/db/schema";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { adminClient } from "@/lib/emulator";
import { importWithNode } from "@/lib/emulator/test-support";
import * as queries from "./queries";
import { refreshRegion, type RefreshDeps } from "./refresh";
import { emulatorTarget } from "./testing";

/**
 * The material summaries the key-age report reads: stored by a refresh against the emulator over HTTP from one
 * ListKeyRotations per key (counted at the emulator) that the drift check shares, and rewritten only when a
 * key's current material changed.
 */

const em = emulatorTarget();
const REGION = "eu-west-1";

describe.each(testDrivers())("material summaries on %s", (driver) => {
  let db: TestDatabase;
  let deps: RefreshDeps;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = { db: db.database.db, kms: em.access(), now: () => new Date(), instanceId: "summaries", describeConcurrency: 4 };
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  const listCalls = async () => (await adminClient(em.emulator.endpoint).getCallCounts()).ListKeyRotations ?? 0;
  const summaries = () => db.database.db.select().from(inventoryMaterialSummaries).where(eq(inventoryMaterialSummaries.region, REGION));

  it("reads each EXTERNAL symmetric key's material history once per refresh, and rewrites a summary only after its material changed", async () => {
    const before = await listCalls();
    expect(await refreshRegion(deps, "prod", REGION)).toMatchObject({ status: "succeeded" });
    const { rows } = await queries.listExternalKeys(db.database.db, { region: REGION }, { sort: "keyId", direction: "asc", page: 1, pageSize: 200 });
    const symmetric = rows.filter((row) => row.keySpec === "SYMMETRIC_DEFAULT");
    const withMaterial = symmetric.filter((row) => row.currentKeyMaterialId);
    expect(withMaterial.length).toBeGreaterThan(0);
    const stored = await summaries();
    expect(stored.map((s) => s.keyId).sort()).toEqual(withMaterial.map((row) => row.keyId).sort());
    for (const row of withMaterial) expect(stored.find((s) => s.keyId === row.keyId)!.keyMaterialId).toBe(row.currentKeyMaterialId);
    // Once per key: the drift check and the summary share the answer.
    expect((await listCalls()) - before).toBe(symmetric.length);

    // Nothing changed: a second refresh reads the histories again (drift looks for material not yet current) but
    // rewrites no summary.
    const afterFirst = await listCalls();
    await refreshRegion(deps, "prod", REGION);
    expect((await listCalls()) - afterFirst).toBe(symmetric.length);
    const readAt = new Map(stored.map((s) => [s.keyId, s.readAt.getTime()]));
    for (const summary of await summaries()) expect(summary.readAt.getTime()).toBe(readAt.get(summary.keyId));

    // New material rotated in: that key alone is read again, and its summary dates the rotation.
    const key = withMaterial.find((row) => row.keyState === "Enabled" && !row.multiRegion)!;
    // The emulator outlives each driver's database: count from what this refresh found.
    const rotationsBefore = stored.find((s) => s.keyId === key.keyId)!.onDemandRotations;
    const kms = deps.kms.kms("prod", REGION, { kind: "service" });
    await importWithNode(kms, key.arn, randomBytes(32), { importType: "NEW_KEY_MATERIAL" });
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.arn }));
    await refreshRegion(deps, "prod", REGION);
    const [summary] = await db.database.db
      .select()
      .from(inventoryMaterialSummaries)
      .where(and(eq(inventoryMaterialSummaries.region, REGION), eq(inventoryMaterialSummaries.keyId, key.keyId)));
    const described = await queries.getExternalKey(db.database.db, "prod", REGION, key.keyId);
    expect(summary).toMatchObject({ keyMaterialId: described!.currentKeyMaterialId, onDemandRotations: rotationsBefore + 1 });
    expect(summary!.keyMaterialId).not.toBe(key.currentKeyMaterialId);
    expect(summary!.currentSince).toBeInstanceOf(Date);
    expect(summary!.readAt.getTime()).toBeGreaterThan(readAt.get(key.keyId)!);
    for (const other of (await summaries()).filter((s) => s.keyId !== key.keyId)) expect(other.readAt.getTime()).toBe(readAt.get(other.keyId));
  });
});
