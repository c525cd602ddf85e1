import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { KeyMetadata } from "@/lib/kms/operations";
import { applyAliases, getExternalKey, keyArnsWithAlias, knownKeys, listExternalKeys, upsertDescribed } from "./queries";
import { compareMaterial } from "./sort";

/**
 * upsertDescribed hands its rows to the database as one JSON document, so nothing in TypeScript checks that
 * each field lands in its column: these cases do, on both drivers, for the insert and for the update path.
 */

const external: KeyMetadata = {
  keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
  arn: "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  accountId: "222222222222",
  origin: "EXTERNAL",
  keySpec: "HMAC_256",
  keyUsage: "GENERATE_VERIFY_MAC",
  keyState: "Enabled",
  enabled: true,
  keyManager: "CUSTOMER",
  description: "Card PIN, it's \"quoted\" — and unicode ✓",
  creationDate: new Date("2026-01-02T03:04:05.678Z"),
  validTo: new Date("2027-01-02T00:00:00.000Z"),
  expirationModel: "KEY_MATERIAL_EXPIRES",
  currentKeyMaterialId: "a".repeat(64),
  multiRegion: true,
  primaryRegion: "eu-west-1",
  deletionDate: null,
};

const awsKms: KeyMetadata = {
  ...external,
  keyId: "9999abcd-12ab-34cd-56ef-1234567890ab",
  arn: "arn:aws:kms:eu-west-1:222222222222:key/9999abcd-12ab-34cd-56ef-1234567890ab",
  origin: "AWS_KMS",
};

describe.each(testDrivers())("upsertDescribed on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("stores every field of an EXTERNAL key, and only what is needed of any other", async () => {
    const at = new Date("2026-11-28T10:00:00.000Z");
    await upsertDescribed(db.database.db, "t", "eu-west-1", [external, awsKms], at);

    expect(await getExternalKey(db.database.db, "t", "eu-west-1", external.keyId)).toEqual({
      targetId: "t",
      region: "eu-west-1",
      keyId: external.keyId,
      arn: external.arn,
      accountId: external.accountId,
      aliases: [],
      keySpec: external.keySpec,
      keyUsage: external.keyUsage,
      keyState: external.keyState,
      description: external.description,
      expirationModel: external.expirationModel,
      validTo: external.validTo,
      multiRegion: true,
      primaryRegion: external.primaryRegion,
      creationDate: external.creationDate,
      deletionDate: null,
      currentKeyMaterialId: external.currentKeyMaterialId,
      lastDescribedAt: at,
    });
    expect(await getExternalKey(db.database.db, "t", "eu-west-1", awsKms.keyId)).toBeNull();
    const known = await knownKeys(db.database.db, "t", "eu-west-1");
    expect(Object.fromEntries(known)).toEqual({
      [external.keyId]: { origin: "EXTERNAL", describedAt: at },
      [awsKms.keyId]: { origin: "AWS_KMS", describedAt: at },
    });
  });

  it("overwrites what changed when the key is described again", async () => {
    const at = new Date("2026-11-28T11:00:00.000Z");
    const changed: KeyMetadata = {
      ...external,
      keyState: "PendingDeletion",
      enabled: false,
      description: "",
      validTo: null,
      expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
      deletionDate: new Date("2026-12-05T00:00:00.000Z"),
      // UpdatePrimaryRegion moved the primary away: this key is a replica now.
      primaryRegion: "us-east-1",
    };
    await upsertDescribed(db.database.db, "t", "eu-west-1", [changed], at);

    const row = await getExternalKey(db.database.db, "t", "eu-west-1", external.keyId);
    expect(row).toMatchObject({
      keyState: "PendingDeletion",
      description: "",
      validTo: null,
      expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
      deletionDate: changed.deletionDate,
      primaryRegion: "us-east-1",
      lastDescribedAt: at,
    });
  });

  it("does not let a refresh's older answer replace a key described since the refresh found it", async () => {
    const database = db.database.db;
    const key: KeyMetadata = { ...external, keyId: "5555abcd-12ab-34cd-56ef-1234567890ab", keyState: "PendingImport", currentKeyMaterialId: null };
    await upsertDescribed(database, "t", "eu-west-1", [key], new Date("2026-11-28T12:00:00.000Z"));
    const found = await knownKeys(database, "t", "eu-west-1");

    // After the refresh found the cache, an import changed the key and it was described again (no guard: refreshKey).
    const reread = new Date("2026-11-28T12:00:05.000Z");
    await upsertDescribed(database, "t", "eu-west-1", [{ ...key, keyState: "Enabled", currentKeyMaterialId: "b".repeat(64) }], reread);
    // The refresh now writes what it was told before the import, and a key it did not know that someone added meanwhile.
    const added: KeyMetadata = { ...key, keyId: "6666abcd-12ab-34cd-56ef-1234567890ab", keyState: "Enabled" };
    await upsertDescribed(database, "t", "eu-west-1", [added], reread);
    await upsertDescribed(database, "t", "eu-west-1", [key, { ...added, keyState: "PendingImport" }], new Date("2026-11-28T12:00:09.000Z"), {
      unlessChangedSince: found,
    });
    expect(await getExternalKey(database, "t", "eu-west-1", key.keyId)).toMatchObject({ keyState: "Enabled", lastDescribedAt: reread });
    expect(await getExternalKey(database, "t", "eu-west-1", added.keyId)).toMatchObject({ keyState: "Enabled", lastDescribedAt: reread });

    // A key still as the refresh found it is written, and so is one that is new to everyone.
    const later = new Date("2026-11-28T12:01:00.000Z");
    const fresh: KeyMetadata = { ...key, keyId: "7777abcd-12ab-34cd-56ef-1234567890ab" };
    await upsertDescribed(database, "t", "eu-west-1", [{ ...key, keyState: "Disabled" }, fresh], later, {
      unlessChangedSince: await knownKeys(database, "t", "eu-west-1"),
    });
    expect(await getExternalKey(database, "t", "eu-west-1", key.keyId)).toMatchObject({ keyState: "Disabled", lastDescribedAt: later });
    expect(await getExternalKey(database, "t", "eu-west-1", fresh.keyId)).toMatchObject({ keyState: "PendingImport", lastDescribedAt: later });
  });
});

describe.each(testDrivers())("sorting by key material on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  const id = (n: number) => `${String(n).repeat(8)}-0000-4000-8000-000000000000`;
  const material = (n: number, keyState: string, expirationModel: string | null, validTo: string | null): KeyMetadata => ({
    ...external,
    keyId: id(n),
    arn: `arn:aws:kms:eu-west-1:222222222222:key/${id(n)}`,
    keyState,
    expirationModel,
    validTo: validTo ? new Date(validTo) : null,
  });
  const keys = [
    material(6, "Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE", null),
    material(1, "PendingImport", null, null),
    material(4, "Enabled", "KEY_MATERIAL_EXPIRES", "2027-01-01T00:00:00Z"),
    material(2, "Enabled", "KEY_MATERIAL_DOES_NOT_EXPIRE", null),
    material(5, "PendingImport", "KEY_MATERIAL_EXPIRES", "2026-11-01T00:00:00Z"),
    material(3, "Enabled", "KEY_MATERIAL_EXPIRES", "2026-12-03T00:00:00Z"),
    material(7, "PendingImport", "KEY_MATERIAL_DOES_NOT_EXPIRE", null),
    material(8, "Enabled", null, null),
  ];

  it.each(["asc", "desc"] as const)("orders %s as the column groups them, never mixing the groups", async (direction) => {
    await upsertDescribed(db.database.db, "t", "eu-west-1", keys, new Date("2026-11-28T10:00:00.000Z"));
    const { rows, total } = await listExternalKeys(db.database.db, {}, { sort: "validTo", direction, page: 1, pageSize: 50 });
    expect(total).toBe(keys.length);
    const expected = {
      asc: [5, 3, 4, 2, 6, 1, 7, 8],
      desc: [2, 6, 4, 3, 5, 1, 7, 8],
    }[direction].map(id);
    expect(rows.map((r) => r.keyId)).toEqual(expected);
    // The SQL and the pure comparator the column shares agree.
    expect([...rows].sort((a, b) => compareMaterial(a, b, direction)).map((r) => r.keyId)).toEqual(expected);
  });
});

describe.each(testDrivers())("keys by alias on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("finds a key by its full alias, or by the alias's end without alias/; nothing for an alias no key carries", async () => {
    const other = { ...external, keyId: "5555abcd-12ab-34cd-56ef-1234567890ab", arn: "arn:aws:kms:eu-west-1:222222222222:key/5555abcd-12ab-34cd-56ef-1234567890ab" };
    await upsertDescribed(db.database.db, "t", "eu-west-1", [external, other, awsKms], new Date("2026-11-28T10:00:00.000Z"));
    await applyAliases(
      db.database.db,
      "t",
      "eu-west-1",
      new Map([
        [external.keyId, ["alias/payments/settlement-kek", "alias/settlement_v2"]],
        [other.keyId, ["alias/data/settlement-kek-old"]],
      ]),
    );
    const find = (alias: string) => keyArnsWithAlias(db.database.db, alias);
    expect(await find("alias/payments/settlement-kek")).toEqual([external.arn]);
    expect(await find("settlement-kek")).toEqual([external.arn]);
    expect(await find("payments/settlement-kek")).toEqual([external.arn]);
    expect(await find("settlement_v2")).toEqual([external.arn]);
    // "_" is literal, not LIKE's any-character.
    expect(await find("settlementXv2")).toEqual([]);
    expect(await find("alias/settlement-kek")).toEqual([]);
    expect(await find("kek")).toEqual([]);
  });
});
