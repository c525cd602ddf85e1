import { randomBytes } from "node:crypto";
import { DescribeKeyCommand, RotateKeyOnDemandCommand } from "@aws-sdk/client-kms";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/audit";
import { fixedClock } from "@/lib/clock";
import { notificationOutbox } from "@/lib/db/schema";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { importWithNode } from "@/lib/emulator/test-support";
import type { ImportDeps } from "@/lib/imports/deps";
import * as importQueries from "@/lib/imports/queries";
import { requestDetails } from "@/lib/imports/read";
import { avery, casey, devon, expectRefusal, importHarness, REGION, riley, startInput, reviewed } from "@/lib/imports/testing";
import { cancelRequest, decide, issueParameters, startImport, uploadBlob } from "@/lib/imports/workflow";
import { importsOfKeys } from "@/lib/imports/key-imports";
import { keyRefId } from "@/lib/inventory/material-summary";
import { reimportsDue } from "./estate";
import { DAY_MS } from "./policy";
import { startScheduledReimport } from "./reimport";
import { takeLease } from "@/lib/db/leases";
import { enableNotifications } from "@/lib/notify";
import { rotationPass } from "./rotation-pass";
import { keyRotation, liveKeyRotation, scheduledRotations } from "./rotations";
import { policiesOfKey, setPolicy, type PolicyRef } from "./store";

/**
 * Schedules against the real thing: keys imported through Keyport's workflow into the emulator over HTTP,
 * the real database on both drivers, and lib/clock moved forward to make a rotation due.
 */

const h = importHarness({ prefix: "keyport-schedules-" });
const known = (id: string) => id === "prod";

describe.each(testDrivers())("schedules on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = h.makeDeps(db);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  /** A symmetric key with material imported through Keyport (a custodian wraps it, an approver approves). */
  async function importedKey(fields: Record<string, string> = {}) {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const started = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048", ...fields }));
    await uploadBlob(deps, casey, started.requestId, (await h.wrapLikeACustodian(deps, started.requestId)).blob);
    expect(await decide(deps, avery, await reviewed(deps, { requestId: started.requestId, decision: "approve" }))).toMatchObject({ state: "imported" });
    return key;
  }

  const keyRef = (key: { targetId: string; region: string; keyId: string }): PolicyRef => ({ scope: "key", targetId: key.targetId, region: key.region, keyId: key.keyId });
  const openDrafts = async (key: { targetId: string; region: string; keyId: string }) =>
    (await importQueries.openRequestsOfKey(deps.db, key.targetId, key.region, key.keyId)).filter((r) => r.kind === "rotate");

  it("lets one instance at a time hold the pass's lease, until it runs out", async () => {
    const now = new Date("2020-01-01T00:00:00Z"); // in the past: first, so no pass has left a later lease, and the one it leaves has run out
    expect(await takeLease(deps.db, "rotation_pass", "x", now, 60_000)).toBe(true);
    expect(await takeLease(deps.db, "rotation_pass", "y", new Date(now.getTime() + 59_000), 60_000)).toBe(false);
    expect(await takeLease(deps.db, "rotation_pass", "x", new Date(now.getTime() + 59_000), 60_000)).toBe(true);
    expect(await takeLease(deps.db, "rotation_pass", "y", new Date(now.getTime() + 120_000), 60_000)).toBe(true);
  });

  it("lets a key's own policy override its account's, and audits each change with before and after", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const target: PolicyRef = { scope: "target", targetId: "prod" };
    await setPolicy(deps.db, casey, target, { reimportDaysBefore: 30, rotateEveryDays: 90 }, deps.now(), known);
    expect(await setPolicy(deps.db, casey, keyRef(key), { reimportDaysBefore: 7 }, deps.now(), known)).toEqual({
      changed: true,
      policy: { reimportDaysBefore: 7, rotateEveryDays: null },
    });
    const { own, target: ofTarget } = await policiesOfKey(deps.db, key);
    expect(own).toMatchObject({ reimportDaysBefore: 7, rotateEveryDays: null });
    expect(ofTarget).toMatchObject({ reimportDaysBefore: 30, rotateEveryDays: 90 });
    // Setting what is set changes nothing and records nothing.
    expect(await setPolicy(deps.db, devon, keyRef(key), { reimportDaysBefore: 7 }, deps.now(), known)).toMatchObject({ changed: false });

    await setPolicy(deps.db, devon, keyRef(key), {}, deps.now(), known);
    await setPolicy(deps.db, devon, target, {}, deps.now(), known);
    expect(await policiesOfKey(deps.db, key)).toEqual({ own: null, target: null });
    const { events } = await listAuditEvents(deps.db, { action: "schedule.cleared" }, { limit: 5 });
    expect(events.map((e) => e.details)).toEqual([
      { scope: "target", before: { reimportDaysBefore: 30, rotateEveryDays: 90 }, after: null },
      { scope: "key", before: { reimportDaysBefore: 7, rotateEveryDays: null }, after: null },
    ]);
    const set = await listAuditEvents(deps.db, { action: "schedule.set", keyArn: key.arn }, { limit: 5 });
    expect(set.events.map((e) => [e.actor.subject, e.details])).toEqual([["demo-casey", { scope: "key", before: null, after: { reimportDaysBefore: 7, rotateEveryDays: null } }]]);
  });

  it("refuses new material on a schedule for a key that is not symmetric, and an unknown account or key", async () => {
    const hmac = await h.newKey(deps, "HMAC_256");
    await expectRefusal(setPolicy(deps.db, casey, keyRef(hmac), { rotateEveryDays: 90 }, deps.now(), known), "invalid_input", /symmetric encryption keys/);
    await expectRefusal(setPolicy(deps.db, casey, { scope: "target", targetId: "nowhere" }, { reimportDaysBefore: 3 }, deps.now(), known), "unknown_target");
    await expectRefusal(setPolicy(deps.db, casey, keyRef({ ...hmac, keyId: "00000000-0000-4000-8000-000000000000" }), { reimportDaysBefore: 3 }, deps.now(), known), "key_not_found");
    expect(await policiesOfKey(deps.db, hmac)).toEqual({ own: null, target: null });
  });

  it("lists expiring material as due for reimport, and starts it in one click with the last import's choices", async () => {
    const validTo = new Date(deps.now().getTime() + 60 * DAY_MS).toISOString();
    const key = await importedKey({ wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_3072", expirationModel: "KEY_MATERIAL_EXPIRES", validTo });
    await setPolicy(deps.db, casey, keyRef(key), { reimportDaysBefore: 70 }, deps.now(), known);
    const due = (await reimportsDue(deps.db, "overdue", deps.now(), {}, { limit: 50, offset: 0 })).find((d) => d.key.keyId === key.keyId);
    expect(due).toMatchObject({ bucket: "overdue", copyable: true, policy: { source: "key", reimportDaysBefore: 70 } });
    expect(due!.dueAt.getTime()).toBe(new Date(validTo).getTime() - 70 * DAY_MS);

    const started = await startScheduledReimport(deps, devon, { target: key.targetId, region: key.region, keyId: key.keyId });
    expect(started.parametersError).toBeNull();
    const { request } = (await requestDetails(deps, started.requestId))!;
    expect(request).toMatchObject({
      kind: "import",
      state: "parameters_issued",
      importType: "EXISTING_KEY_MATERIAL",
      wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
      wrappingKeySpec: "RSA_3072",
      expirationModel: "KEY_MATERIAL_EXPIRES",
      requestedBySubject: devon.subject,
    });
    // As far ahead as the last ValidTo was from its import (within the seconds the import took).
    expect(Math.abs(request.validTo!.getTime() - (deps.now().getTime() + 60 * DAY_MS))).toBeLessThan(120_000);
  });

  it("refuses a one-click reimport of a key Keyport never imported: there are no choices to copy", async () => {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    await expectRefusal(startScheduledReimport(deps, casey, { target: key.targetId, region: key.region, keyId: key.keyId }), "no_earlier_import");
  });

  it("opens exactly one draft rotation per due period, across passes and concurrent passes, with its audit event and notification", async () => {
    const key = await importedKey();
    await setPolicy(deps.db, casey, keyRef(key), { rotateEveryDays: 30 }, deps.now(), known);
    expect(await rotationPass(deps, "a")).toEqual({ ran: true, opened: [] }); // not due yet

    const clock = fixedClock(Date.now() + 31 * DAY_MS);
    const notifications = enableNotifications();
    try {
      const [one, two] = await Promise.all([rotationPass(deps, "a"), rotationPass(deps, "b")]);
      expect([...one.opened, ...two.opened]).toHaveLength(1);
      expect(await rotationPass(deps, "b")).toEqual({ ran: true, opened: [] });
      const [draft] = await openDrafts(key);
      expect(draft).toMatchObject({ state: "draft", importType: "NEW_KEY_MATERIAL", requestedBySubject: "keyport", wrappingAlgorithm: "RSAES_OAEP_SHA_256" });

      const { events } = await listAuditEvents(deps.db, { requestId: draft!.id }, { limit: 5 });
      expect(events.map((e) => [e.action, e.actor.kind])).toEqual([
        ["schedule.rotation_due", "system"],
        ["import.requested", "system"],
      ]);
      expect(events[0]!.details).toMatchObject({ everyDays: 30, policy: "key", rotationsUsed: 0, rotationsLeft: 10 });
      const messages = await deps.db.select().from(notificationOutbox).where(eq(notificationOutbox.requestId, draft!.id));
      expect(messages).toMatchObject([{ kind: "rotation.due", keyArn: key.arn, path: `/imports/${draft!.id}` }]);

      // Any custodian may take the draft on (no person requested it); cancelled, it is not opened again this period.
      clock.restore();
      await issueParameters(deps, devon, draft!.id);
      await cancelRequest(deps, casey, draft!.id, "Not this month");
      const later = fixedClock(Date.now() + 31 * DAY_MS);
      expect(await rotationPass(deps, "a")).toEqual({ ran: true, opened: [] });
      later.restore();
    } finally {
      notifications();
      clock.restore();
    }
  });

  it("opens no draft for a key that has used its ten rotations, and shows it stopped", async () => {
    const key = await importedKey();
    const kms = deps.kms.kms("prod", REGION, { kind: "service" });
    for (let i = 0; i < 10; i++) {
      await importWithNode(kms, key.arn, randomBytes(32), { algorithm: "RSAES_OAEP_SHA_256", importType: "NEW_KEY_MATERIAL" });
      await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.arn }));
    }
    const row = (await deps.inventory.refreshKey(key.targetId, key.region, key.keyId)) as Awaited<ReturnType<ImportDeps["inventory"]["getKey"]>>;
    await setPolicy(deps.db, casey, keyRef(key), { rotateEveryDays: 30 }, deps.now(), known);
    const clock = fixedClock(Date.now() + 31 * DAY_MS);
    try {
      expect((await keyRotation(deps, row!, 30)).status).toEqual({ state: "limit_reached", used: 10, left: 0 });
      expect(await rotationPass(deps, "a")).toEqual({ ran: true, opened: [] });
      expect(await openDrafts(key)).toEqual([]);
    } finally {
      clock.restore();
    }
  });

  it("shows a multi-Region key's rotation schedule as blocked, and opens nothing for it", async () => {
    const kms = deps.kms.kms("prod", REGION, { kind: "service" });
    const primary = (await kms.send(new DescribeKeyCommand({ KeyId: "alias/keyport/payments-mrk" }))).KeyMetadata!;
    const row = await deps.inventory.refreshKey("prod", REGION, primary.KeyId!);
    const ref = { targetId: "prod", region: REGION, keyId: primary.KeyId! };
    await setPolicy(deps.db, casey, keyRef(ref), { rotateEveryDays: 30 }, deps.now(), known);
    const clock = fixedClock(Date.now() + 400 * DAY_MS);
    try {
      expect((await keyRotation(deps, row as never, 30)).status).toMatchObject({ state: "blocked", reason: /multi-Region key/ });
      expect(await rotationPass(deps, "a")).toEqual({ ran: true, opened: [] });
      expect(await openDrafts(ref)).toEqual([]);
    } finally {
      clock.restore();
    }
  });

  it("is refused to an auditor by the draft's own rules, like any request", async () => {
    const key = await importedKey();
    await setPolicy(deps.db, casey, keyRef(key), { rotateEveryDays: 30 }, deps.now(), known);
    const clock = fixedClock(Date.now() + 31 * DAY_MS);
    let draftId: string;
    try {
      [draftId] = (await rotationPass(deps, "a")).opened as [string];
    } finally {
      clock.restore();
    }
    await expectRefusal(issueParameters(deps, riley, draftId), "forbidden");
    await expectRefusal(cancelRequest(deps, avery, draftId), "forbidden");
    await cancelRequest(deps, casey, draftId);
  });

  it("reads where every scheduled key stands from the stored summaries, with no KMS call per key, as the live read would", async () => {
    // Rotated twice after Keyport's import (then re-read, as Keyport does after any change), imported once, never imported.
    const rotated = await importedKey();
    const kms = deps.kms.kms("prod", REGION, { kind: "service" });
    for (let i = 0; i < 2; i++) {
      await importWithNode(kms, rotated.arn, randomBytes(32), { algorithm: "RSAES_OAEP_SHA_256", importType: "NEW_KEY_MATERIAL" });
      await kms.send(new RotateKeyOnDemandCommand({ KeyId: rotated.arn }));
    }
    await deps.inventory.refreshKey(rotated.targetId, rotated.region, rotated.keyId);
    const fresh = await importedKey();
    const pending = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const keys = [rotated, fresh, pending];
    for (const key of keys) await setPolicy(deps.db, casey, keyRef(key), { rotateEveryDays: 30 }, deps.now(), known);

    const listCalls = async () => (await h.admin.getCallCounts()).ListKeyRotations ?? 0;
    const before = await listCalls();
    const scheduled = await scheduledRotations(deps, { target: "prod" }, { limit: 500, offset: 0 });
    const entries = keys.map((key) => scheduled.find((s) => s.key.keyId === key.keyId)!);
    // The key page's card reads one key the same way.
    const card = await keyRotation(deps, entries[0]!.key, 30);
    expect(await listCalls()).toBe(before);

    expect(entries.map((e) => e.rotation?.status.state)).toEqual(["scheduled", "scheduled", "blocked"]);
    expect(entries[0]!.rotation!.status).toMatchObject({ used: 2, left: 8 });
    expect(entries[1]!.rotation!.status).toMatchObject({ used: 0, left: 10 });
    expect(card).toEqual(entries[0]!.rotation);
    for (const entry of entries) expect(entry.rotation).toEqual(await liveKeyRotation(deps, entry.key, 30));
    expect(await listCalls()).toBeGreaterThan(before); // the live read above did ask KMS: the count can move

    // Whether Keyport imported into each key (a reimport's one click), for the set at once.
    const imported = await importsOfKeys(deps.db, keys);
    expect(keys.map((key) => imported.has(keyRefId(key)))).toEqual([true, true, false]);
    for (const key of keys) await setPolicy(deps.db, casey, keyRef(key), {}, deps.now(), known);
  });
});
