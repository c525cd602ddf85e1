import "server-only";
import { asc, eq, gt, inArray } from "drizzle-orm";
import type { Db } from "@/lib/db";
import { parameterSets, wrappedBlobs } from "@/lib/db/schema";
import { isSealedUnder, openSecret, sealSecret, secretAad, type DataKeyRing, type SecretPurpose } from "./index";

/**
 * Re-seals every secret at rest under the current data key (after KEYPORT_DATA_KEY changed, with the old key
 * in KEYPORT_DATA_KEY_PREVIOUS). One transaction per batch, rows locked while they are rewritten, so a run
 * that stops half-way leaves every value readable and a second run finishes the job; values already sealed
 * under the current key are left alone, so running it again changes nothing.
 */

export type ResealCounts = Record<SecretPurpose, { resealed: number; alreadyCurrent: number }>;

const COLUMNS = {
  "parameter_set.import_token": { table: parameterSets, id: parameterSets.id, value: parameterSets.importTokenCiphertext, field: "importTokenCiphertext" },
  "wrapped_blob.ciphertext": { table: wrappedBlobs, id: wrappedBlobs.id, value: wrappedBlobs.ciphertext, field: "ciphertext" },
} as const;

async function resealColumn(db: Db, keys: DataKeyRing, purpose: SecretPurpose, batchSize: number) {
  const column = COLUMNS[purpose];
  const counts = { resealed: 0, alreadyCurrent: 0 };
  let after: string | null = null;
  for (;;) {
    const ids: string[] = (
      await db
        .select({ id: column.id })
        .from(column.table)
        .where(after ? gt(column.id, after) : undefined)
        .orderBy(asc(column.id))
        .limit(batchSize)
    ).map((row) => row.id);
    if (ids.length === 0) return counts;
    after = ids[ids.length - 1]!;
    await db.transaction(async (tx) => {
      const rows = await tx.select({ id: column.id, value: column.value }).from(column.table).where(inArray(column.id, ids)).for("update");
      for (const row of rows) {
        if (isSealedUnder(row.value, keys.current)) {
          counts.alreadyCurrent += 1;
          continue;
        }
        const aad = secretAad(purpose, row.id);
        const plaintext = openSecret(row.value, keys, aad);
        try {
          const resealed = sealSecret(plaintext, keys.current, aad);
          await tx
            .update(column.table)
            .set({ [column.field]: resealed })
            .where(eq(column.id, row.id));
        } finally {
          plaintext.fill(0);
        }
        counts.resealed += 1;
      }
    });
  }
}

export async function resealAll(db: Db, keys: DataKeyRing, batchSize = 100): Promise<ResealCounts> {
  return {
    "parameter_set.import_token": await resealColumn(db, keys, "parameter_set.import_token", batchSize),
    "wrapped_blob.ciphertext": await resealColumn(db, keys, "wrapped_blob.ciphertext", batchSize),
  };
}
