import { CreateKeyCommand, GetParametersForImportCommand, ReplicateKeyCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { adminClient, startEmulator, type RunningEmulator } from "@/lib/emulator";
import { REPLICA_CREATION_MS } from "@/lib/emulator/kms/multi-region-operations";
import { KmsAccess, toKmsError, type KmsTarget } from "@/lib/kms";
import { importBlockedBy } from "./key-readiness";
import { getExternalKey } from "./queries";
import { refreshRegion } from "./refresh";

/**
 * What AWS sends for a new multi-Region replica: `KeyState: Creating` (recorded against AWS), for a while,
 * before a replica of an EXTERNAL key waits in PendingImport. The inventory keeps the state as KMS words
 * it, Keyport says why the key cannot take material yet, and the refusal KMS would send reads the same.
 */

let emulator: RunningEmulator;
let target: KmsTarget;
const accesses: KmsAccess[] = [];

function access(): KmsAccess {
  const made = new KmsAccess({ targets: [target], endpoint: emulator.endpoint, now: Date.now, baseCredentials: emulator.credentials, maxAttempts: 1 });
  accesses.push(made);
  return made;
}

beforeAll(async () => {
  emulator = await startEmulator({ seed: "demo", admin: true });
  const account = emulator.accounts.find((a) => a.assumable)!;
  target = { id: "prod", name: account.name, accountId: account.accountId, roleArn: account.roleArn, externalId: account.externalId, regions: emulator.regions };
});
afterAll(async () => {
  for (const made of accesses) made.destroy();
  await emulator?.close();
});

describe.each(testDrivers())("a new multi-Region replica in the inventory, on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("is listed as Creating, cannot take material until KMS has made it, then waits for its import", async () => {
    const [primaryRegion, replicaRegion] = target.regions as [string, string];
    const kms = access();
    const primary = kms.kms(target.id, primaryRegion, { kind: "service" });
    const created = await primary.send(new CreateKeyCommand({ Origin: "EXTERNAL", MultiRegion: true, Description: "replicated" }));
    const keyId = created.KeyMetadata!.KeyId!;
    expect(keyId).toMatch(/^mrk-/);
    await primary.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: replicaRegion }));

    const deps = { db: db.database.db, now: () => new Date(), instanceId: "replica", describeConcurrency: 4, kms };
    expect((await refreshRegion(deps, target.id, replicaRegion)).status).toBe("succeeded");
    const listed = await getExternalKey(db.database.db, target.id, replicaRegion, keyId);
    expect(listed).toMatchObject({ keyState: "Creating" });
    expect(importBlockedBy(listed!.keyState)).toMatch(/still creating this key/);

    // Had Keyport asked anyway, KMS's refusal would say the same in Keyport's words.
    const refused = await kms
      .kms(target.id, replicaRegion, { kind: "service" })
      .send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }))
      .then(
        () => undefined,
        (e: unknown) => toKmsError(e),
      );
    expect(refused).toMatchObject({ code: "invalid_state" });
    expect(refused!.message).toMatch(/still being created/);

    await adminClient(emulator.endpoint).advanceClock(REPLICA_CREATION_MS);
    await refreshRegion(deps, target.id, replicaRegion);
    const made = await getExternalKey(db.database.db, target.id, replicaRegion, keyId);
    expect(made).toMatchObject({ keyState: "PendingImport" });
    expect(importBlockedBy(made!.keyState)).toBeNull();
  });
});
