import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, ReplicateKeyCommand } from "@aws-sdk/client-kms";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/audit";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { REPLICA_CREATION_MS } from "@/lib/emulator/kms/multi-region-operations";
import { custodianCommands } from "./commands";
import type { ImportDeps } from "./deps";
import { buildDownload } from "./downloads";
import { buildSessionBundle, SESSION_BUNDLE_FILE } from "./session-download";
import { requestDetails } from "./read";
import { REGION, bash, blake, casey, commandInputFor, expectRefusal, importHarness } from "./testing";
import { decideSession, issueParameters, retryRequest, sessionMembers, startSession, uploadBlob, verifySessionMaterial } from "./workflow";

/**
 * A multi-Region import session end to end: the real SDK against the emulator over HTTP, the real database,
 * and the custodian's side run with openssl, wrapping ONE material for each Region's own public key.
 */

const h = importHarness({ prefix: "keyport-session-" });
const REPLICA = "us-east-1";

describe.each(testDrivers())("a multi-Region import session on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;
  let work: string;

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = h.makeDeps(db);
    work = await mkdtemp(join(tmpdir(), "keyport-session-work-"));
  });
  afterAll(async () => {
    await db?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** A new multi-Region EXTERNAL key in REGION with replicas (default: REPLICA), all read into the inventory. */
  async function multiRegionKey(replicas = [REPLICA]) {
    const primary = deps.kms.kms("prod", REGION, { kind: "service" });
    const created = await primary.send(new CreateKeyCommand({ Origin: "EXTERNAL", MultiRegion: true, Description: "session test" }));
    const keyId = created.KeyMetadata!.KeyId!;
    for (const region of replicas) await primary.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: region }));
    await h.admin.advanceClock(REPLICA_CREATION_MS);
    for (const region of [REGION, ...replicas]) {
      expect(await deps.inventory.refreshKey("prod", region, keyId)).toMatchObject({ keyState: "PendingImport", multiRegion: true, primaryRegion: REGION });
    }
    return keyId;
  }

  /** The custodian's way: the session's one zip, its wrap-all.sh over one material; the blob of each Region. */
  async function wrapWithTheBundle(sessionId: string, material?: Buffer) {
    const bundle = await buildSessionBundle(deps, casey, sessionId);
    const dir = join(work, `bundle-${sessionId}`);
    for (const [name, bytes] of Object.entries(unzipSync(bundle.body))) {
      await mkdir(join(dir, name, ".."), { recursive: true });
      await writeFile(join(dir, name), bytes);
    }
    if (material) await writeFile(join(dir, "material.bin"), material);
    else await bash("openssl rand -out material.bin 32", dir);
    await bash("bash wrap-all.sh material.bin", dir);
    return { bundle, material: await readFile(join(dir, "material.bin")), blobOf: (region: string) => readFile(join(dir, region, "EncryptedKeyMaterial.bin")) };
  }

  /** Every Region's blob uploaded by the custodian; the hashes the approver reviews. */
  async function uploadEveryRegion(members: Array<{ id: string; region: string }>, blobOf: (region: string) => Promise<Buffer>) {
    const hashes: Record<string, string> = {};
    for (const m of members) hashes[m.id] = (await uploadBlob(deps, casey, m.id, await blobOf(m.region))).sha256;
    return hashes;
  }

  /** The custodian: one material, wrapped for every Region's public key with the commands Keyport prints. */
  async function wrapOneMaterialForEveryRegion(requestIds: string[], options: { otherMaterialIn?: string } = {}) {
    const dir = join(work, requestIds[0]!);
    await mkdir(dir, { recursive: true });
    await bash("openssl rand -out material.bin 32", dir);
    const blobs = new Map<string, Buffer>();
    for (const id of requestIds) {
      const request = (await requestDetails(deps, id))!.request;
      const regionDir = join(dir, request.region);
      await mkdir(regionDir, { recursive: true });
      const files = unzipSync((await buildDownload(deps, casey, id, "ImportParameters.zip")).body);
      for (const name of ["WrappingPublicKey.bin", "ImportToken.bin"]) await writeFile(join(regionDir, name), files[name]!);
      expect(strFromU8(files["README.txt"]!)).toContain(request.keyArn);
      if (request.region === options.otherMaterialIn) await bash("openssl rand -out material.bin 32", regionDir);
      else await copyFile(join(dir, "material.bin"), join(regionDir, "material.bin"));
      const steps = custodianCommands(commandInputFor(request));
      await bash(steps.find((s) => s.id === "wrap")!.command, regionDir);
      blobs.set(id, await readFile(join(regionDir, "EncryptedKeyMaterial.bin")));
    }
    return blobs;
  }

  const input = (keyId: string, regions: string[]) => ({
    target: "prod",
    keyId,
    regions,
    wrappingAlgorithm: "RSAES_OAEP_SHA_256" as const,
    wrappingKeySpec: "RSA_2048" as const,
    expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" as const,
    justification: "Bring the payments key to both Regions in one session",
  });

  it("imports one material into the primary and a replica with one approval; ciphertext then crosses Regions", async () => {
    const keyId = await multiRegionKey();
    const started = await startSession(deps, casey, input(keyId, [REPLICA, REGION]));
    expect(started.requests.map((r) => [r.region, r.parametersError])).toEqual([
      [REGION, null],
      [REPLICA, null],
    ]);
    const members = await sessionMembers(deps, started.sessionId);
    expect(members.map((m) => [m.region, m.state, m.sessionId, m.importType])).toEqual([
      [REGION, "parameters_issued", started.sessionId, "NEW_KEY_MATERIAL"],
      [REPLICA, "parameters_issued", started.sessionId, "NEW_KEY_MATERIAL"],
    ]);

    // The custodian's way: the session's one zip, its wrap-all.sh over one material, one upload per Region.
    const { bundle, blobOf } = await wrapWithTheBundle(started.sessionId);
    const hashes: Record<string, string> = {};
    for (const m of members) hashes[m.id] = (await uploadBlob(deps, casey, m.id, await blobOf(m.region))).sha256;
    for (const m of members) {
      const { events } = await listAuditEvents(deps.db, { requestId: m.id, action: "import.downloaded" });
      expect(events.map((e) => e.details)).toEqual([expect.objectContaining({ file: SESSION_BUNDLE_FILE, sha256: bundle.sha256 })]);
    }

    // The requester cannot approve any Region of it; nothing is decided.
    await expectRefusal(decideSession(deps, casey, { sessionId: started.sessionId, decision: "approve", confirmed: true, blobs: hashes }), "forbidden");
    // A hash the approver did not review for one Region refuses the whole decision before any Region is decided.
    const { [members[1]!.id]: _skipped, ...partial } = hashes;
    await expectRefusal(decideSession(deps, blake, { sessionId: started.sessionId, decision: "approve", confirmed: true, blobs: partial }), "invalid_input", /us-east-1/);
    expect((await sessionMembers(deps, started.sessionId)).map((m) => m.state)).toEqual(["awaiting_approval", "awaiting_approval"]);

    const outcome = await decideSession(deps, blake, { sessionId: started.sessionId, decision: "approve", confirmed: true, blobs: hashes });
    expect(outcome.regions.map((o) => [o.region, o.outcome.state])).toEqual([
      [REGION, "imported"],
      [REPLICA, "imported"],
    ]);
    // The decision ends with the proof that the Regions interoperate, audited in each Region's trail.
    expect(outcome.verification).toMatchObject({ ok: true, method: "encrypt_decrypt" });
    expect(outcome.verification?.checks.map((c) => `${c.from}>${c.to}`).sort()).toEqual([`${REGION}>${REPLICA}`, `${REPLICA}>${REGION}`]);

    const primary = deps.kms.kms("prod", REGION, { kind: "service" });
    const replica = deps.kms.kms("prod", REPLICA, { kind: "service" });
    for (const client of [primary, replica]) expect((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe("Enabled");
    const sealed = await primary.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from("crosses Regions") }));
    const opened = await replica.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: sealed.CiphertextBlob }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe("crosses Regions");

    // Every step is audited per Region, each naming the session.
    const { events } = await listAuditEvents(deps.db, { requestId: members[1]!.id });
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["import.requested", "import.approved", "import.imported", "import.session_verified"]));
    expect(events.find((e) => e.action === "import.requested")?.details).toMatchObject({ sessionId: started.sessionId });
  });

  it("covers three Regions; an import KMS fails in one Region is retried alone, and the proof runs once all hold the material", async () => {
    const THIRD = "eu-central-1";
    const keyId = await multiRegionKey([REPLICA, THIRD]);
    const started = await startSession(deps, casey, input(keyId, [REGION, REPLICA, THIRD]));
    const members = await sessionMembers(deps, started.sessionId);
    expect(members.map((m) => m.region)).toEqual([REGION, THIRD, REPLICA]);
    const { blobOf } = await wrapWithTheBundle(started.sessionId);
    const hashes = await uploadEveryRegion(members, blobOf);

    await h.admin.injectFaults({ type: "KMSInternalException", rate: 1, operation: "ImportKeyMaterial", region: THIRD });
    try {
      const outcome = await decideSession(deps, blake, { sessionId: started.sessionId, decision: "approve", confirmed: true, blobs: hashes });
      expect(outcome.regions.map((o) => [o.region, o.outcome.state])).toEqual([
        [REGION, "imported"],
        [THIRD, "failed"],
        [REPLICA, "imported"],
      ]);
      expect(outcome.verification).toBeNull();
      await expectRefusal(verifySessionMaterial(deps, blake, started.sessionId), "invalid_state", new RegExp(`not yet: ${THIRD}`));
    } finally {
      await h.admin.reset();
    }
    const third = members.find((m) => m.region === THIRD)!;
    expect(await retryRequest(deps, blake, third.id)).toMatchObject({ ok: true });
    const proof = await verifySessionMaterial(deps, blake, started.sessionId);
    expect(proof.ok).toBe(true);
    expect(proof.checks).toHaveLength(6);
  });

  it("keeps a Region whose parameters KMS refuses as a draft with the error; the others go on, and that Region gets parameters later", async () => {
    const keyId = await multiRegionKey();
    await h.admin.injectFaults({ type: "AccessDenied", rate: 1, operation: "GetParametersForImport", region: REPLICA });
    let started: Awaited<ReturnType<typeof startSession>>;
    try {
      started = await startSession(deps, casey, input(keyId, [REGION, REPLICA]));
    } finally {
      await h.admin.reset();
    }
    expect(started.requests.find((r) => r.region === REGION)?.parametersError).toBeNull();
    expect(started.requests.find((r) => r.region === REPLICA)?.parametersError).toMatchObject({ code: "access_denied" });
    const members = await sessionMembers(deps, started.sessionId);
    expect(members.map((m) => [m.region, m.state])).toEqual([
      [REGION, "parameters_issued"],
      [REPLICA, "draft"],
    ]);
    await issueParameters(deps, casey, members[1]!.id);
    expect((await sessionMembers(deps, started.sessionId)).map((m) => m.state)).toEqual(["parameters_issued", "parameters_issued"]);
  });

  it("refuses the decision while one Region's token has run out, names it, and goes on once that Region has new parameters", async () => {
    const keyId = await multiRegionKey();
    const started = await startSession(deps, casey, input(keyId, [REGION, REPLICA]));
    const [primary, replica] = await sessionMembers(deps, started.sessionId);
    // The replica's parameters are issued again twelve hours later (emulator time): its token outlives the primary's.
    await h.admin.advanceClock(12 * 3600_000);
    try {
      await issueParameters(deps, casey, replica!.id);
    } finally {
      // Back to the real time: AWS refuses requests signed too far from its clock, and so does the emulator.
      await h.admin.setClock(Date.now());
    }
    const wrapped = await wrapWithTheBundle(started.sessionId);
    const hashes = await uploadEveryRegion([primary!, replica!], wrapped.blobOf);

    // An hour after the primary's token ran out, by Keyport's clock; the replica's has eleven hours left.
    const primaryValidTo = (await requestDetails(deps, primary!.id))!.parameters!.parametersValidTo.getTime();
    const offset = primaryValidTo + 3600_000 - Date.now();
    const later: ImportDeps = { ...deps, now: () => new Date(Date.now() + offset) };
    await expectRefusal(
      decideSession(later, blake, { sessionId: started.sessionId, decision: "approve", confirmed: true, blobs: hashes }),
      "parameters_expired",
      new RegExp(`^${REGION}: `),
    );
    expect((await sessionMembers(later, started.sessionId)).map((m) => [m.region, m.state])).toEqual([
      [REGION, "expired"],
      [REPLICA, "awaiting_approval"],
    ]);

    // New parameters for the primary alone; the same material wrapped for its new key; one decision for both.
    // (Back on the clock KMS keeps: Keyport and KMS agree on the time, as they do outside a test.)
    await issueParameters(deps, casey, primary!.id);
    const rewrapped = await wrapWithTheBundle(started.sessionId, wrapped.material);
    hashes[primary!.id] = (await uploadBlob(deps, casey, primary!.id, await rewrapped.blobOf(REGION))).sha256;
    const outcome = await decideSession(deps, blake, { sessionId: started.sessionId, decision: "approve", confirmed: true, blobs: hashes });
    expect(outcome.regions.map((o) => o.outcome.state)).toEqual(["imported", "imported"]);
    expect(outcome.verification?.ok).toBe(true);
  });

  it("reimports the same material in every Region before it expires, each Region with its new ValidTo", async () => {
    const keyId = await multiRegionKey();
    const expiring = (days: number) => ({ ...input(keyId, [REGION, REPLICA]), expirationModel: "KEY_MATERIAL_EXPIRES" as const, validTo: new Date(Date.now() + days * 86_400_000) });
    const first = await startSession(deps, casey, expiring(30));
    const firstMembers = await sessionMembers(deps, first.sessionId);
    const wrapped = await wrapWithTheBundle(first.sessionId);
    const firstHashes = await uploadEveryRegion(firstMembers, wrapped.blobOf);
    expect((await decideSession(deps, blake, { sessionId: first.sessionId, decision: "approve", confirmed: true, blobs: firstHashes })).verification?.ok).toBe(true);

    const again = await startSession(deps, casey, expiring(200));
    const members = await sessionMembers(deps, again.sessionId);
    expect(members.map((m) => m.importType)).toEqual(["EXISTING_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"]);
    const rewrapped = await wrapWithTheBundle(again.sessionId, wrapped.material);
    const hashes = await uploadEveryRegion(members, rewrapped.blobOf);
    const outcome = await decideSession(deps, blake, { sessionId: again.sessionId, decision: "approve", confirmed: true, blobs: hashes });
    expect(outcome.regions.map((o) => o.outcome.state)).toEqual(["imported", "imported"]);
    expect(outcome.verification?.ok).toBe(true);
    for (const region of [REGION, REPLICA]) {
      const validTo = (await deps.kms.kms("prod", region, { kind: "service" }).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.ValidTo;
      expect(Math.round((validTo!.getTime() - Date.now()) / 86_400_000)).toBe(200);
    }
  });

  it("imports, but says the Regions do not interoperate, when a replica was given other material", async () => {
    const keyId = await multiRegionKey();
    const started = await startSession(deps, casey, input(keyId, [REGION, REPLICA]));
    const members = await sessionMembers(deps, started.sessionId);
    const blobs = await wrapOneMaterialForEveryRegion(
      members.map((m) => m.id),
      { otherMaterialIn: REPLICA },
    );
    const hashes: Record<string, string> = {};
    for (const m of members) hashes[m.id] = (await uploadBlob(deps, casey, m.id, blobs.get(m.id)!)).sha256;
    const outcome = await decideSession(deps, blake, { sessionId: started.sessionId, decision: "approve", confirmed: true, blobs: hashes });
    expect(outcome.regions.map((o) => o.outcome.state)).toEqual(["imported", "imported"]);
    expect(outcome.verification?.ok).toBe(false);
    expect(outcome.verification?.checks.every((c) => !c.ok && /InvalidCiphertextException/.test(c.detail ?? ""))).toBe(true);
    const { events } = await listAuditEvents(deps.db, { requestId: members[0]!.id, action: "import.session_verified" });
    expect(events[0]?.details).toMatchObject({ ok: false, sessionId: started.sessionId, regions: [REGION, REPLICA] });
  });

  it("starts whole or not at all: a Region the inventory does not hold, or a busy Region, opens no request", async () => {
    const keyId = await multiRegionKey();
    await expectRefusal(startSession(deps, casey, input(keyId, [REGION, "eu-central-1"])), "invalid_input", /eu-central-1/);
    const first = await startSession(deps, casey, input(keyId, [REPLICA]));
    await expectRefusal(startSession(deps, casey, input(keyId, [REGION, REPLICA])), "key_busy");
    const { events } = await listAuditEvents(deps.db, { keyArn: `arn:aws:kms:${REGION}:222222222222:key/${keyId}` });
    expect(events.filter((e) => e.action === "import.requested")).toEqual([]);
    expect((await sessionMembers(deps, first.sessionId)).map((m) => m.region)).toEqual([REPLICA]);
  });

  it("refuses a key that is not multi-Region", async () => {
    const single = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    await expectRefusal(startSession(deps, casey, input(single.keyId, [REGION])), "invalid_input", /not a multi-Region key/);
  });
});
