import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { demoAuditSigningKey, startEmulator, type RunningEmulator } from "@/lib/emulator";
import { KmsAccess, type KmsTarget } from "@/lib/kms";
import { getPublicKey, signMessage } from "@/lib/kms/operations";
import { appendAuditStandalone } from "./append";
import { checkpointSignatureValid, parseCheckpoint, publicKeyFingerprint, publicKeyFrom, statementHash, FIRST_PREVIOUS } from "./checkpoint-format";
import { finalStateSinceCheckpoint, latestCheckpointFile, signCheckpoint, type CheckpointDeps, type CheckpointSigner } from "./checkpoints";
import { listAuditEvents } from "./queries";

/**
 * Checkpoints signed by KMS Sign (the emulator, over HTTP with the real SDK, under Keyport's own role in the
 * demo's production account) and recorded in the real database and in a directory outside it.
 */

let emulator: RunningEmulator;
let access: KmsAccess;
let signer: CheckpointSigner;
let demoKey: { arn: string; fingerprint: string };

beforeAll(async () => {
  emulator = await startEmulator({ seed: "demo" });
  demoKey = await demoAuditSigningKey();
  const account = emulator.accounts.find((a) => a.accountId === demoKey.arn.split(":")[4])!;
  const target: KmsTarget = { id: "prod", name: account.name, accountId: account.accountId, roleArn: account.roleArn, externalId: account.externalId, regions: emulator.regions };
  access = new KmsAccess({ targets: [target], endpoint: emulator.endpoint, now: Date.now, baseCredentials: emulator.credentials, maxAttempts: 1 });
  const client = access.kms("prod", "eu-west-1", { kind: "service" });
  signer = {
    keyArn: demoKey.arn,
    algorithm: "ECDSA_SHA_256",
    sign: async (message) => signMessage(client, { keyArn: demoKey.arn, message, algorithm: "ECDSA_SHA_256" }),
  };
});
afterAll(async () => {
  access?.destroy();
  await emulator?.close();
});

describe.each(testDrivers())("signed audit checkpoints on %s", (driver) => {
  let db: TestDatabase;
  let directory: string;
  let deps: CheckpointDeps;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
    directory = await mkdtemp(path.join(tmpdir(), "keyport-checkpoints-"));
    deps = { db: db.database.db, signer, directory, now: () => new Date() };
  });
  afterAll(async () => {
    await db?.cleanup();
    await rm(directory, { recursive: true, force: true });
  });

  it("signs the head with the KMS key, records it right after the head, and keeps a copy outside the database", async () => {
    const head = await appendAuditStandalone(db.database.db, { action: "auth.sign_in", actor: { subject: "u-1", roles: ["auditor"] } });
    const event = await signCheckpoint(deps, "startup");
    expect(event).toMatchObject({ seq: head.seq + 1, action: "audit.checkpoint", keyArn: demoKey.arn, actor: { kind: "system" } });
    const checkpoint = parseCheckpoint(event!.details);
    if (typeof checkpoint === "string") throw new Error(checkpoint);
    expect(checkpoint.statement).toMatchObject({ v: 1, seq: head.seq, headHash: head.hash, previous: FIRST_PREVIOUS, keyArn: demoKey.arn, algorithm: "ECDSA_SHA_256" });
    expect(event!.kmsRequestId).toBeTruthy();

    // The signature is KMS's, under the key's public key, whose fingerprint is the one the demo pins.
    const publicKey = publicKeyFrom((await getPublicKey(access.kms("prod", "eu-west-1", { kind: "service" }), demoKey.arn)).publicKey);
    expect(publicKeyFingerprint(publicKey)).toBe(demoKey.fingerprint);
    expect(checkpointSignatureValid(checkpoint, publicKey)).toBe(true);
    expect(checkpointSignatureValid({ ...checkpoint, statement: { ...checkpoint.statement, seq: checkpoint.statement.seq + 1 } }, publicKey)).toBe(false);

    const files = await readdir(directory);
    expect(files).toEqual([`checkpoint-${String(head.seq).padStart(12, "0")}.json`]);
    expect(JSON.parse(await readFile(path.join(directory, files[0]!), "utf8"))).toEqual({ statement: checkpoint.statement, signature: checkpoint.signature });
    expect((await latestCheckpointFile(directory))?.checkpoint).toEqual(checkpoint);
  });

  it("chains each checkpoint to the one before, and signs nothing when nothing happened since", async () => {
    expect(await signCheckpoint(deps, "interval")).toBeNull();
    const first = (await listAuditEvents(db.database.db, { action: "audit.checkpoint" }, { limit: 10 })).events.at(-1)!;
    await appendAuditStandalone(db.database.db, { action: "auth.sign_out", actor: { subject: "u-1", roles: ["auditor"] } });
    const second = await signCheckpoint(deps, "interval");
    const firstCheckpoint = parseCheckpoint(first.details);
    const secondCheckpoint = parseCheckpoint(second!.details);
    if (typeof firstCheckpoint === "string" || typeof secondCheckpoint === "string") throw new Error("not checkpoints");
    expect(secondCheckpoint.statement.previous).toBe(statementHash(firstCheckpoint.statement));
    // On demand always signs, naming who asked.
    const asked = await signCheckpoint(deps, "on_demand", { subject: "u-2", name: "Riley", roles: ["auditor"] });
    expect(asked).toMatchObject({ actor: { kind: "user", subject: "u-2" }, details: { trigger: "on_demand" } });
  });

  it("signs again when an event lands between reading the head and recording the checkpoint", async () => {
    // A sign-in is no final state; an import that finished is, until a checkpoint follows it.
    await appendAuditStandalone(db.database.db, { action: "auth.sign_in", actor: { subject: "u-4", roles: [] } });
    expect(await finalStateSinceCheckpoint(db.database.db)).toBe(false);
    await appendAuditStandalone(db.database.db, { action: "import.imported", actor: "system" });
    expect(await finalStateSinceCheckpoint(db.database.db)).toBe(true);
    let interleaved = 0;
    const racing: CheckpointSigner = {
      ...signer,
      sign: async (message) => {
        if (interleaved++ === 0) await appendAuditStandalone(db.database.db, { action: "auth.sign_in", actor: { subject: "u-3", roles: [] } });
        return signer.sign(message);
      },
    };
    const event = await signCheckpoint({ ...deps, signer: racing }, "final_state");
    expect(interleaved).toBe(2);
    const checkpoint = parseCheckpoint(event!.details);
    if (typeof checkpoint === "string") throw new Error(checkpoint);
    expect(checkpoint.statement.seq).toBe(event!.seq - 1);
    expect(await finalStateSinceCheckpoint(db.database.db)).toBe(false);
  });
});
