import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { importRequests, parameterSets, wrappedBlobs } from "@/lib/db/schema";
import { dataKeyId, openSecret, sealSecret, sealedKeyId, secretAad, sha256Hex } from "./index";
import { resealAll } from "./reseal";

/** Rotating the data key: values sealed under the old key are re-sealed under the new one, and only it is needed. */
describe.each(testDrivers())("data-key reseal on %s", (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const keyA = randomBytes(32);
  const keyB = randomBytes(32);
  const rows: { parameterSetId: string; blobId: string; token: Buffer; blob: Buffer }[] = [];

  async function seed(count: number) {
    const db = t.database.db;
    const at = new Date("2026-03-01T10:00:00.000Z");
    for (let i = 0; i < count; i++) {
      const [request] = await db
        .insert(importRequests)
        .values({
          kind: "import",
          targetId: "prod",
          region: "eu-west-1",
          keyArn: `arn:aws:kms:eu-west-1:111122223333:key/${randomUUID()}`,
          keyId: randomUUID(),
          keySpec: "SYMMETRIC_DEFAULT",
          state: "parameters_issued",
          wrappingAlgorithm: "RSAES_OAEP_SHA_256",
          wrappingKeySpec: "RSA_4096",
          justification: "test",
          requestedBySubject: "alice",
          createdAt: at,
          updatedAt: at,
        })
        .returning({ id: importRequests.id });
      const parameterSetId = randomUUID();
      const blobId = randomUUID();
      const token = randomBytes(64);
      const blob = randomBytes(256);
      await db.insert(parameterSets).values({
        id: parameterSetId,
        requestId: request!.id,
        wrappingAlgorithm: "RSAES_OAEP_SHA_256",
        wrappingKeySpec: "RSA_4096",
        publicKey: randomBytes(16),
        publicKeySha256: "x",
        importTokenCiphertext: sealSecret(token, keyA, secretAad("parameter_set.import_token", parameterSetId)),
        importTokenSha256: sha256Hex(token),
        parametersValidTo: new Date(at.getTime() + 24 * 3600_000),
        issuedBySubject: "alice",
        issuedAt: at,
      });
      await db.insert(wrappedBlobs).values({
        id: blobId,
        requestId: request!.id,
        parameterSetId,
        ciphertext: sealSecret(blob, keyA, secretAad("wrapped_blob.ciphertext", blobId)),
        sha256: sha256Hex(blob),
        size: blob.length,
        uploadedBySubject: "alice",
        uploadedAt: at,
      });
      rows.push({ parameterSetId, blobId, token, blob });
    }
  }

  async function stored(row: (typeof rows)[number]) {
    const db = t.database.db;
    const [p] = await db.select({ v: parameterSets.importTokenCiphertext }).from(parameterSets).where(eq(parameterSets.id, row.parameterSetId));
    const [b] = await db.select({ v: wrappedBlobs.ciphertext }).from(wrappedBlobs).where(eq(wrappedBlobs.id, row.blobId));
    return { token: p!.v, blob: b!.v };
  }

  it("re-seals every token and blob under the new key in batches, and a second run changes nothing", async () => {
    await seed(5);
    const counts = await resealAll(t.database.db, { current: keyB, previous: [keyA] }, 2);
    expect(counts).toEqual({
      "parameter_set.import_token": { resealed: 5, alreadyCurrent: 0 },
      "wrapped_blob.ciphertext": { resealed: 5, alreadyCurrent: 0 },
    });
    for (const row of rows) {
      const s = await stored(row);
      expect(sealedKeyId(s.token)).toBe(dataKeyId(keyB));
      // Readable with only the new key: the old one can be retired.
      expect(openSecret(s.token, keyB, secretAad("parameter_set.import_token", row.parameterSetId)).equals(row.token)).toBe(true);
      expect(openSecret(s.blob, keyB, secretAad("wrapped_blob.ciphertext", row.blobId)).equals(row.blob)).toBe(true);
    }
    const again = await resealAll(t.database.db, { current: keyB, previous: [keyA] }, 2);
    expect(again).toEqual({
      "parameter_set.import_token": { resealed: 0, alreadyCurrent: 5 },
      "wrapped_blob.ciphertext": { resealed: 0, alreadyCurrent: 5 },
    });
  });

  it("stops with the unknown key's id when a value's key is not given, and leaves that batch as it was", async () => {
    const keyC = randomBytes(32);
    await expect(resealAll(t.database.db, { current: keyC, previous: [] })).rejects.toThrow(
      new RegExp(`sealed under data key ${dataKeyId(keyB)}`),
    );
    const s = await stored(rows[0]!);
    expect(sealedKeyId(s.token)).toBe(dataKeyId(keyB));
  });
});
