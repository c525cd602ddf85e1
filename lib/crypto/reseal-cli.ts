/**
 * `npm run data-key:reseal`: re-seals every stored import token and wrapped blob under KEYPORT_DATA_KEY,
 * reading old values with KEYPORT_DATA_KEY_PREVIOUS (README.md, "Configuration for real AWS"). Run it with the
 * app's own environment; it prints what it did. Safe to run again.
 */
import { getConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db";
import { dataKeyId } from "./index";
import { resealAll } from "./reseal";

async function main(): Promise<void> {
  const config = getConfig();
  const database = await getDatabase();
  try {
    console.log(
      `Re-sealing under data key ${dataKeyId(config.dataKey)}; also reading ${config.previousDataKeys.map(dataKeyId).join(", ") || "no previous keys"}.`,
    );
    const counts = await resealAll(database.db, { current: config.dataKey, previous: config.previousDataKeys });
    for (const [purpose, { resealed, alreadyCurrent }] of Object.entries(counts)) {
      console.log(`${purpose}: ${resealed} re-sealed, ${alreadyCurrent} already under the current key`);
    }
    console.log("Done. Once every instance runs with the new KEYPORT_DATA_KEY, remove KEYPORT_DATA_KEY_PREVIOUS.");
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(`data-key:reseal failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
