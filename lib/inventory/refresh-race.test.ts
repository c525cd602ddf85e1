import { randomBytes, createPublicKey } from "node:crypto";
import { CreateKeyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, type KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { wrapKeyMaterial } from "@/lib/emulator/crypto/wrap";
import { refreshKey } from "./index";
import { getExternalKey } from "./queries";
import { refreshRegion } from "./refresh";
import { emulatorTarget } from "./testing";

/**
 * A full refresh describes a key, and holds the answer until it writes its batch; meanwhile an import can
 * change the key and re-read it (refreshKey). The refresh's older answer must not then overwrite the newer
 * one: the cache would say the key still awaits its material until the next refresh, and the keys page and
 * a new request would act on that.
 */

const harness = emulatorTarget();
const { access } = harness;

/** What Keyport's import does in KMS, done directly: GetParametersForImport, wrap 32 bytes, ImportKeyMaterial. */
async function importMaterial(client: KMSClient, keyId: string): Promise<void> {
  const params = await client.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", WrappingKeySpec: "RSA_2048" }));
  const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: "der", type: "spki" });
  const blob = wrapKeyMaterial("RSA_AES_KEY_WRAP_SHA_256", publicKey, randomBytes(32));
  await client.send(
    new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: blob, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }),
  );
}

describe.each(testDrivers())("a refresh racing an import, on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("keeps the state the import read after it, not the refresh's older answer", async () => {
    const region = harness.target.regions[0]!;
    const kms = access();
    const client = kms.kms(harness.target.id, region, { kind: "service" });
    const created = await client.send(new CreateKeyCommand({ Origin: "EXTERNAL", Description: "refresh race" }));
    const keyId = created.KeyMetadata!.KeyId!;
    const database = db.database.db;
    const deps = { db: database, now: () => new Date(), instanceId: "racing", describeConcurrency: 4 };
    await refreshRegion({ ...deps, kms: access() }, harness.target.id, region);
    expect(await getExternalKey(database, harness.target.id, region, keyId)).toMatchObject({ keyState: "PendingImport" });

    // The refresh's own clients: once its DescribeKey of this key has its answer (PendingImport), the import
    // happens and Keyport re-reads the key, all before the refresh writes what it read.
    const racing = access();
    let raced = false;
    racing.kms(harness.target.id, region, { kind: "service" }).middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const input = args.input as { KeyId?: string };
        if (!raced && context.commandName === "DescribeKeyCommand" && input.KeyId === keyId) {
          raced = true;
          await importMaterial(client, keyId);
          const reread = await refreshKey(harness.target.id, region, keyId, { db: database, kms });
          expect(reread).toMatchObject({ keyState: "Enabled" });
        }
        return out;
      },
      { step: "initialize", name: "raceAnImport" },
    );
    const outcome = await refreshRegion({ ...deps, kms: racing }, harness.target.id, region);
    expect(outcome.status).toBe("succeeded");
    expect(raced).toBe(true);

    // KMS says Enabled; so must the cache.
    expect(await getExternalKey(database, harness.target.id, region, keyId)).toMatchObject({ keyState: "Enabled" });
  });
});
