import { CreateKeyCommand, GetParametersForImportCommand, ReplicateKeyCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { adminClient } from "@/lib/emulator";
import { REPLICA_CREATION_MS } from "@/lib/emulator/kms/multi-region-operations";
import { toKmsError } from "@/lib/kms";
import { importBlockedBy } from "./key-readiness";
import { getExternalKey } from "./queries";
import { refreshRegion } from "./refresh";
import { emulatorTarget } from "./testing";

/**
 * What AWS sends for a new multi-Region replica: `KeyState: Creating` (recorded against AWS), for a while,
 * before a replica of an EXTERNAL key waits in PendingImport. The inventory keeps the state as KMS words
 * it, Keyport says why the key cannot take material yet, and the refusal KMS would send reads the same.
 */

const harness = emulatorTarget();
const { access } = harness;

describe.each(testDrivers())("a new multi-Region replica in the inventory, on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("is listed as Creating, cannot take material until KMS has made it, then waits for its import", async () => {
    const [primaryRegion, replicaRegion] = harness.target.regions as [string, string];
    const kms = access();
    const primary = kms.kms(harness.target.id, primaryRegion, { kind: "service" });
    const created = await primary.send(new CreateKeyCommand({ Origin: "EXTERNAL", MultiRegion: true, Description: "replicated" }));
    const keyId = created.KeyMetadata!.KeyId!;
    expect(keyId).toMatch(/^mrk-/);
    await primary.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: replicaRegion }));

    const deps = { db: db.database.db, now: () => new Date(), instanceId: "replica", describeConcurrency: 4, kms };
    expect((await refreshRegion(deps, harness.target.id, replicaRegion)).status).toBe("succeeded");
    const listed = await getExternalKey(db.database.db, harness.target.id, replicaRegion, keyId);
    expect(listed).toMatchObject({ keyState: "Creating" });
    expect(importBlockedBy(listed!.keyState)).toMatch(/still creating this key/);

    // Had Keyport asked anyway, KMS's refusal would say the same in Keyport's words.
    const refused = await kms
      .kms(harness.target.id, replicaRegion, { kind: "service" })
      .send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }))
      .then(
        () => undefined,
        (e: unknown) => toKmsError(e),
      );
    expect(refused).toMatchObject({ code: "invalid_state" });
    expect(refused!.message).toMatch(/still being created/);

    await adminClient(harness.emulator.endpoint).advanceClock(REPLICA_CREATION_MS);
    await refreshRegion(deps, harness.target.id, replicaRegion);
    const made = await getExternalKey(db.database.db, harness.target.id, replicaRegion, keyId);
    expect(made).toMatchObject({ keyState: "PendingImport" });
    expect(importBlockedBy(made!.keyState)).toBeNull();
  });
});
