import { generateKeyPairSync, createPublicKey, randomBytes } from "node:crypto";
import {
  CreateKeyCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/audit";
import { can } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { importRequests, notificationOutbox } from "@/lib/db/schema";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { DUAL_CONTROL_TAG } from "@/lib/emulator/seed";
import { assumeRole, kmsClient } from "@/lib/emulator/test-support";
import { wrapKeyMaterial } from "@/lib/emulator/crypto/wrap";
import type { ImportDeps } from "@/lib/imports/deps";
import { avery, casey, devon, expectRefusal, importHarness, REGION, reviewed, riley, startInput } from "@/lib/imports/testing";
import { decide, startImport, uploadBlob } from "@/lib/imports/workflow";
import { refreshRegion } from "@/lib/inventory/refresh";
import { enableNotifications } from "@/lib/notify/state";
import type { KmsAccess } from "@/lib/kms";
import { acknowledgeFinding } from "./acknowledge";
import { CONTROL_TAG } from "./check";
import { listFindings } from "./queries";
import { acknowledgeFindingSchema } from "./schemas";

/**
 * Drift found by the inventory refresh: the real AWS SDK plays the person acting in KMS behind Keyport's
 * back (their own role session, as the AWS CLI would), Keyport's own imports go through its workflow, and
 * every refresh is the real one against the emulator and the database (PGlite, and PostgreSQL when set).
 */

const h = importHarness({ prefix: "keyport-drift-" });
const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(testDrivers())("drift on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;
  let cli: KMSClient;
  let restoreNotifications: () => void;
  beforeAll(async () => {
    restoreNotifications = enableNotifications();
    db = await createTestDatabase(driver);
    deps = h.makeDeps(db);
    const account = h.emulator.accounts.find((a) => a.assumable)!;
    cli = kmsClient(h.emulator, REGION, await assumeRole(h.emulator, account, "someone-with-the-aws-cli"));
  });
  afterAll(async () => {
    restoreNotifications?.();
    cli?.destroy();
    await db?.cleanup();
  });

  const refresh = async () => {
    // The harness's deps hold a whole KmsAccess (makeDeps), typed as the workflow needs it.
    const outcome = await refreshRegion({ db: deps.db, kms: deps.kms as KmsAccess, now, instanceId: "drift-test", describeConcurrency: 4 }, "prod", REGION);
    expect(outcome.status).toBe("succeeded");
  };
  const findings = async (keyId?: string) => (await listFindings(deps.db, { key: keyId ? { targetId: "prod", region: REGION, keyId } : undefined, limit: 200 })).rows;
  const driftEvents = async (keyArn: string) => (await listAuditEvents(deps.db, { keyArn, action: "drift.found" }, { limit: 50 })).events;
  const outbox = async (dedupeKey: string) => deps.db.select().from(notificationOutbox).where(eq(notificationOutbox.dedupeKey, dedupeKey));

  async function newExternalKey(keySpec: "SYMMETRIC_DEFAULT" | "ECC_NIST_P256") {
    const out = await cli.send(new CreateKeyCommand({ Origin: "EXTERNAL", KeySpec: keySpec, KeyUsage: keySpec === "SYMMETRIC_DEFAULT" ? "ENCRYPT_DECRYPT" : "SIGN_VERIFY" }));
    return { targetId: "prod", region: REGION, keyId: out.KeyMetadata!.KeyId!, arn: out.KeyMetadata!.Arn! };
  }

  /** What `aws kms get-parameters-for-import` and `aws kms import-key-material` do, with openssl's wrap in between. */
  async function importWithTheCli(keyArn: string, material: Buffer, validTo?: Date) {
    const params = await cli.send(new GetParametersForImportCommand({ KeyId: keyArn, WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec: "RSA_2048" }));
    const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: "der", type: "spki" });
    await cli.send(
      new ImportKeyMaterialCommand({
        KeyId: keyArn,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrapKeyMaterial("RSA_AES_KEY_WRAP_SHA_256", publicKey, material),
        ExpirationModel: validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE",
        ValidTo: validTo,
      }),
    );
  }

  /** An import through Keyport: requested, wrapped and uploaded by custodians, approved by someone else. */
  async function importThroughKeyport(key: { targetId: string; region: string; keyId: string }, fields: Record<string, string> = {}) {
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_2048", ...fields }));
    const wrapped = await h.wrapLikeACustodian(deps, requestId, devon);
    await uploadBlob(deps, devon, requestId, wrapped.blob);
    const decision = await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }));
    expect(decision.state).toBe("imported");
    return wrapped.material;
  }

  it("adopts the material found on keys at the first refresh, except on a key tagged for dual control", async () => {
    expect(CONTROL_TAG).toEqual(DUAL_CONTROL_TAG);
    await refresh();
    const chargeback = (await cli.send(new DescribeKeyCommand({ KeyId: "alias/payments/chargeback-kek" }))).KeyMetadata!;
    const all = await findings();
    expect(all.map((f) => [f.keyId, f.kind, f.keyMaterialId])).toEqual([[chargeback.KeyId, "material_not_imported", chargeback.CurrentKeyMaterialId]]);
    expect(all[0]!.alias).toBe("alias/payments/chargeback-kek");
    await refresh();
    expect(await findings()).toHaveLength(1);
  });

  it("finds no drift in Keyport's own imports, and finds their material deleted outside Keyport, once", async () => {
    const symmetric = await newExternalKey("SYMMETRIC_DEFAULT");
    const ecc = await newExternalKey("ECC_NIST_P256");
    await refresh();
    await importThroughKeyport(symmetric);
    await importThroughKeyport(ecc);
    await refresh();
    expect(await findings(symmetric.keyId)).toEqual([]);
    expect(await findings(ecc.keyId)).toEqual([]);

    const deleted = await cli.send(new DeleteImportedKeyMaterialCommand({ KeyId: symmetric.arn }));
    await cli.send(new DeleteImportedKeyMaterialCommand({ KeyId: ecc.arn }));
    await refresh();
    await refresh();
    expect((await findings(symmetric.keyId)).map((f) => [f.kind, f.keyMaterialId])).toEqual([["material_deleted", deleted.KeyMaterialId]]);
    expect((await findings(ecc.keyId)).map((f) => [f.kind, f.keyMaterialId])).toEqual([["material_deleted", null]]);
  });

  it("finds material imported outside Keyport once, audited as Keyport's own finding and notified once", async () => {
    const symmetric = await newExternalKey("SYMMETRIC_DEFAULT");
    const ecc = await newExternalKey("ECC_NIST_P256");
    await refresh();
    expect([...(await findings(symmetric.keyId)), ...(await findings(ecc.keyId))]).toEqual([]);

    await importWithTheCli(symmetric.arn, randomBytes(32));
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    await importWithTheCli(ecc.arn, privateKey.export({ format: "der", type: "pkcs8" }));
    await refresh();
    await refresh();

    const materialId = (await cli.send(new DescribeKeyCommand({ KeyId: symmetric.arn }))).KeyMetadata!.CurrentKeyMaterialId;
    const [found] = await findings(symmetric.keyId);
    expect(await findings(symmetric.keyId)).toHaveLength(1);
    expect(found).toMatchObject({ kind: "material_not_imported", keyMaterialId: materialId, keyArn: symmetric.arn, acknowledgedAt: null });
    expect((await findings(ecc.keyId)).map((f) => f.kind)).toEqual(["material_not_imported"]);

    const events = await driftEvents(symmetric.arn);
    expect(events).toHaveLength(1);
    expect(events[0]!.actor.kind).toBe("system");
    expect(events[0]!.details).toMatchObject({ findingId: found!.id, kind: "material_not_imported", keyMaterialId: materialId });
    const [message, ...more] = await outbox(`drift.found:${found!.id}`);
    expect(more).toEqual([]);
    expect(message).toMatchObject({ kind: "drift.found", keyArn: symmetric.arn, path: `/keys/prod/${REGION}/${symmetric.keyId}` });
    expect(message!.summary).toMatch(/^Key material Keyport did not import on key /);
    expect(JSON.stringify(message)).not.toMatch(/ImportToken|EncryptedKeyMaterial/);
  });

  it("finds a ValidTo changed by a reimport outside Keyport, and a key disabled or scheduled for deletion, once each", async () => {
    const key = await newExternalKey("SYMMETRIC_DEFAULT");
    await refresh();
    const validTo = new Date(Math.floor((Date.now() + 30 * DAY_MS) / 1000) * 1000);
    const material = await importThroughKeyport(key, { expirationModel: "KEY_MATERIAL_EXPIRES", validTo: validTo.toISOString() });
    await refresh();
    expect(await findings(key.keyId)).toEqual([]);

    const later = new Date(validTo.getTime() + 30 * DAY_MS);
    await importWithTheCli(key.arn, material, later);
    await refresh();
    await cli.send(new DisableKeyCommand({ KeyId: key.arn }));
    await refresh();
    await cli.send(new ScheduleKeyDeletionCommand({ KeyId: key.arn, PendingWindowInDays: 7 }));
    await refresh();
    await refresh();

    const kinds = (await findings(key.keyId)).map((f) => [f.kind, f.details]);
    expect(kinds).toHaveLength(3);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ["valid_to_changed", { expectedValidTo: validTo.toISOString(), validTo: later.toISOString() }],
        ["key_disabled", { previousState: "Enabled", keyState: "Disabled" }],
        ["deletion_scheduled", { previousState: "Disabled", keyState: "PendingDeletion" }],
      ]),
    );
    expect(await driftEvents(key.arn)).toHaveLength(3);
  });

  it("leaves a key Keyport is importing into for the next refresh, which finds what the import did not explain", async () => {
    const key = await newExternalKey("SYMMETRIC_DEFAULT");
    await refresh();
    // The moment a refresh can meet: the request is importing and KMS already shows material the trail does not.
    const { requestId } = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    await deps.db.update(importRequests).set({ state: "importing" }).where(eq(importRequests.id, requestId));
    await importWithTheCli(key.arn, randomBytes(32));
    await refresh();
    expect(await findings(key.keyId)).toEqual([]);

    // The request ends without recording the import (as if it failed): the material is now unexplained.
    await deps.db.update(importRequests).set({ state: "failed" }).where(eq(importRequests.id, requestId));
    await refresh();
    expect((await findings(key.keyId)).map((f) => f.kind)).toEqual(["material_not_imported"]);
  });

  it("is acknowledged once, by an auditor or admin, with a comment, and audited", async () => {
    const [finding] = (await findings()).filter((f) => !f.acknowledgedAt);
    const at = now();

    const noComment = acknowledgeFindingSchema.safeParse({ findingId: finding!.id, comment: "  " });
    expect(noComment.success).toBe(false);
    expect(noComment.error!.issues[0]).toMatchObject({ path: ["comment"], message: expect.stringMatching(/^Say why this change is accepted/) });
    expect(can(["custodian"], "drift.acknowledge")).toBe(false);
    expect(can(["approver"], "drift.acknowledge")).toBe(false);
    expect(can(["auditor"], "drift.acknowledge") && can(["admin"], "drift.acknowledge")).toBe(true);

    const comment = "Imported by the payments team during the HSM migration, change CHG-1234.";
    await acknowledgeFinding(deps.db, riley, acknowledgeFindingSchema.parse({ findingId: finding!.id, comment }), at);
    const [acknowledged] = (await findings(finding!.keyId)).filter((f) => f.id === finding!.id);
    expect(acknowledged).toMatchObject({ acknowledgedByName: riley.name, acknowledgementComment: comment });

    await expectRefusal(acknowledgeFinding(deps.db, riley, { findingId: finding!.id, comment: "A second opinion on it." }, now()), "already_acknowledged", /Riley Auditor already acknowledged/);
    await expectRefusal(acknowledgeFinding(deps.db, riley, { findingId: "00000000-0000-4000-8000-000000000000", comment }, now()), "not_found");

    const { events } = await listAuditEvents(deps.db, { action: "drift.acknowledged" }, { limit: 10 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ keyArn: finding!.keyArn, actor: { subject: riley.subject }, details: { findingId: finding!.id, comment } });
    // Open findings come first, acknowledged ones after.
    const listed = await findings();
    expect(listed.at(-1)?.acknowledgedAt ?? null).not.toBeNull();
  });
});
