import { createPublicKey, randomBytes } from "node:crypto";
import { CreateKeyCommand, DescribeKeyCommand, ReplicateKeyCommand } from "@aws-sdk/client-kms";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents, verifyAudit } from "@/lib/audit";
import { notificationOutbox } from "@/lib/db/schema";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { wrapKeyMaterial } from "@/lib/emulator/crypto/wrap";
import { REPLICA_CREATION_MS } from "@/lib/emulator/kms/multi-region-operations";
import { importWithNode } from "@/lib/emulator/test-support";
import { sessionNameFor } from "@/lib/kms";
import { enableNotifications } from "@/lib/notify";
import type { ImportDeps } from "./deps";
import { buildDownload } from "./downloads";
import { requestDetails } from "./read";
import { breakGlassSchema } from "./schemas";
import { REGION, blake, casey, expectRefusal, importHarness, morgan, reviewed, startInput } from "./testing";
import { breakGlass, decide, standingBreakGlass, startImport, uploadBlob } from "./workflow";

/**
 * Break glass end to end: the real SDK against the emulator over HTTP as the admin's own STS session, the real
 * database on both drivers. A multi-Region key loses its material in every Region at once, with no second
 * person; the trail, the outbox and the key's standing say so until a dual-control import brings it back.
 */

const h = importHarness({ prefix: "keyport-break-glass-" });
const REPLICA = "us-east-1";
const REASON = "Material suspected copied off the HSM during the incident of 2 December";

describe.each(testDrivers())("break glass on %s", (driver) => {
  let db: TestDatabase;
  let off: ImportDeps;
  let deps: ImportDeps;
  let notificationsOff: () => void;

  beforeAll(async () => {
    notificationsOff = enableNotifications();
    db = await createTestDatabase(driver);
    off = h.makeDeps(db);
    deps = { ...off, breakGlass: true };
  });
  afterAll(async () => {
    notificationsOff();
    await db?.cleanup();
  });
  afterEach(async () => {
    await h.admin.reset();
  });

  const service = (region: string) => deps.kms.kms("prod", region, { kind: "service" });
  const keyState = async (region: string, keyId: string) => (await service(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState;

  /** A multi-Region symmetric key in REGION and REPLICA, each holding the same material, read into the inventory. */
  async function multiRegionKeyWithMaterial() {
    const created = await service(REGION).send(new CreateKeyCommand({ Origin: "EXTERNAL", MultiRegion: true, Description: "break glass test" }));
    const keyId = created.KeyMetadata!.KeyId!;
    await service(REGION).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: REPLICA }));
    await h.admin.advanceClock(REPLICA_CREATION_MS);
    const material = randomBytes(32);
    const arns: Record<string, string> = {};
    for (const region of [REGION, REPLICA]) {
      const described = await service(region).send(new DescribeKeyCommand({ KeyId: keyId }));
      arns[region] = described.KeyMetadata!.Arn!;
      await importWithNode(service(region), arns[region], material);
      expect(await deps.inventory.refreshKey("prod", region, keyId)).toMatchObject({ keyState: "Enabled", multiRegion: true });
    }
    return { keyId, material, arns, input: { target: "prod", region: REGION, keyId, reason: REASON, confirmation: keyId } };
  }

  const breakGlassEvents = async (keyArn: string) => (await listAuditEvents(deps.db, { action: "material.break_glass", keyArn })).events;

  it("is refused while KEYPORT_BREAK_GLASS is off, even to an admin, and nothing changes", async () => {
    const key = await multiRegionKeyWithMaterial();
    await expectRefusal(breakGlass(off, morgan, key.input), "break_glass_disabled", /KEYPORT_BREAK_GLASS=enabled/);
    expect([await keyState(REGION, key.keyId), await keyState(REPLICA, key.keyId)]).toEqual(["Enabled", "Enabled"]);
    expect(await breakGlassEvents(key.arns[REGION]!)).toEqual([]);
  });

  it("refuses a confirmation that does not name the key, and a key with no material anywhere", async () => {
    const key = await multiRegionKeyWithMaterial();
    const refused = await expectRefusal(breakGlass(deps, morgan, { ...key.input, confirmation: "alias/some-other-key" }), "invalid_input", /That is not this key/);
    expect(Object.keys(refused.fieldErrors ?? {})).toEqual(["confirmation"]);
    expect(await keyState(REGION, key.keyId)).toBe("Enabled");

    const { keyId } = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    await expectRefusal(breakGlass(deps, morgan, { ...key.input, keyId, confirmation: keyId }), "no_material");
  });

  it("deletes the material in every Region as the admin, cancels open requests, audits and notifies; the key stays broken until a dual-control import", async () => {
    const key = await multiRegionKeyWithMaterial();
    // A reimport already under way in the replica: an approval given before the incident must not restore the material.
    const open = await startImport(deps, casey, startInput({ targetId: "prod", region: REPLICA, keyId: key.keyId }, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));

    const outcome = await breakGlass(deps, morgan, key.input);
    expect(outcome.regions.map((r) => [r.region, r.outcome])).toEqual([
      [REGION, "deleted"],
      [REPLICA, "deleted"],
    ]);
    expect(outcome.cancelledRequestIds).toEqual([open.requestId]);
    expect(outcome.inFlightRequestIds).toEqual([]);
    expect([await keyState(REGION, key.keyId), await keyState(REPLICA, key.keyId)]).toEqual(["PendingImport", "PendingImport"]);
    expect((await requestDetails(deps, open.requestId))!.request.state).toBe("cancelled");

    // One event per Region, by the admin's own session, each with the reason, the whole set and its outcome.
    for (const region of [REGION, REPLICA]) {
      const [event, ...more] = await breakGlassEvents(key.arns[region]!);
      expect(more).toEqual([]);
      expect(event).toMatchObject({
        region,
        actor: { subject: morgan.subject, roles: ["admin"] },
        details: { breakGlassId: outcome.breakGlassId, reason: REASON, regions: [REGION, REPLICA], outcome: "deleted", keyStateBefore: "Enabled", sessionName: sessionNameFor(morgan.email!) },
      });
    }
    expect((await verifyAudit(deps.db)).ok).toBe(true);

    // One message for the act, with its dedupe key; never more than identifiers, names and the reason.
    const messages = await deps.db.select().from(notificationOutbox).where(eq(notificationOutbox.kind, "break_glass.used"));
    const mine = messages.filter((m) => m.dedupeKey === `break_glass.used:${outcome.breakGlassId}`);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ keyArn: key.arns[REGION], fields: { Reason: REASON, By: morgan.email, Regions: `${REGION}: deleted, ${REPLICA}: deleted` } });
    expect(mine[0]!.summary).toMatch(/without a second person/);

    expect([...(await standingBreakGlass(deps.db, Object.values(key.arns))).keys()].sort()).toEqual(Object.values(key.arns).sort());

    // The same material imported again into the primary under dual control: requested by a custodian, approved by another person.
    const reimport = await startImport(deps, casey, startInput({ targetId: "prod", region: REGION, keyId: key.keyId }, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    const der = (await buildDownload(deps, casey, reimport.requestId, "WrappingPublicKey.bin")).body;
    const blob = wrapKeyMaterial("RSAES_OAEP_SHA_256", createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" }), key.material);
    await uploadBlob(deps, casey, reimport.requestId, blob);
    const decided = await decide(deps, blake, await reviewed(deps, { requestId: reimport.requestId, decision: "approve", comment: "Material restored after the incident review" }));
    expect(decided).toMatchObject({ state: "imported", execution: { ok: true } });

    // The primary is restored; the replica still reads as broken glass.
    expect([...(await standingBreakGlass(deps.db, Object.values(key.arns))).keys()]).toEqual([key.arns[REPLICA]]);
  });

  it("goes on in the other Regions when one fails, and shows and audits the one that failed", async () => {
    const key = await multiRegionKeyWithMaterial();
    await h.admin.injectFaults({ type: "KMSInternalException", rate: 1, operation: "DeleteImportedKeyMaterial", region: REPLICA });
    const first = await breakGlass(deps, morgan, key.input);
    expect(first.regions).toEqual([
      expect.objectContaining({ region: REGION, outcome: "deleted" }),
      expect.objectContaining({ region: REPLICA, outcome: "failed", code: expect.any(String), message: expect.stringMatching(/\w/) }),
    ]);
    expect([await keyState(REGION, key.keyId), await keyState(REPLICA, key.keyId)]).toEqual(["PendingImport", "Enabled"]);
    expect((await breakGlassEvents(key.arns[REPLICA]!))[0]).toMatchObject({ details: { outcome: "failed", reason: REASON } });
    expect([...(await standingBreakGlass(deps.db, Object.values(key.arns))).keys()]).toEqual([key.arns[REGION]]);

    // Run again once KMS answers: the Region left behind loses its material too, as a second act with its own message.
    await h.admin.reset();
    const second = await breakGlass(deps, morgan, key.input);
    expect(second.regions.map((r) => r.outcome)).toEqual(["deleted", "deleted"]);
    expect(await keyState(REPLICA, key.keyId)).toBe("PendingImport");
    const messages = await deps.db.select({ dedupeKey: notificationOutbox.dedupeKey }).from(notificationOutbox).where(eq(notificationOutbox.kind, "break_glass.used"));
    expect(messages.map((m) => m.dedupeKey)).toEqual(expect.arrayContaining([`break_glass.used:${first.breakGlassId}`, `break_glass.used:${second.breakGlassId}`]));
  });
});

describe("the break glass form's rules", () => {
  const valid = { target: "prod", region: "eu-west-1", keyId: "mrk-0123456789abcdef0123456789abcdef", reason: REASON, confirmation: "alias/payments" };

  it("needs a reason of some length, and a confirmation", () => {
    expect(breakGlassSchema.safeParse(valid).success).toBe(true);
    const short = breakGlassSchema.safeParse({ ...valid, reason: "  incident  " });
    expect(short.success).toBe(false);
    expect(short.error!.issues[0]!.message).toMatch(/at least 20 characters/);
    expect(breakGlassSchema.safeParse({ ...valid, reason: undefined }).success).toBe(false);
    expect(breakGlassSchema.safeParse({ ...valid, confirmation: "   " }).error!.issues[0]!.message).toMatch(/Type the key id or its alias/);
  });
});
