import { stringify } from "csv-stringify/sync";
import type { KeyAge } from "./key-age";

/** The key-age report as a CSV file (pure, server side: csv-stringify stays out of the browser's bundle). */

export const KEY_AGE_CSV_COLUMNS = [
  "account",
  "accountId",
  "region",
  "keyId",
  "alias",
  "keySpec",
  "keyState",
  "materialSince",
  "materialSinceSource",
  "ageDays",
  "ageBucket",
  "lastImportAt",
  "lastImportBy",
  "nextValidTo",
  "rotationsLeft",
] as const;

export type KeyAgeCsvRow = {
  accountName: string;
  accountId: string;
  region: string;
  keyId: string;
  alias: string | null;
  keySpec: string | null;
  keyState: string | null;
  age: KeyAge;
  lastImport: { at: Date; by: string | null } | null;
};

/**
 * RFC 4180 (CRLF), ISO 8601 UTC times, empty cells for what does not apply; cells a spreadsheet would run as a
 * formula are escaped (csv-stringify's escape_formulas), as the pending export does.
 */
export function keyAgeCsv(rows: readonly KeyAgeCsvRow[]): string {
  const records = rows.map((row) => ({
    account: row.accountName,
    accountId: row.accountId,
    region: row.region,
    keyId: row.keyId,
    alias: row.alias ?? "",
    keySpec: row.keySpec ?? "",
    keyState: row.keyState ?? "",
    materialSince: row.age.since?.toISOString() ?? "",
    materialSinceSource: row.age.sinceSource ?? "",
    ageDays: row.age.ageDays ?? "",
    ageBucket: row.age.bucket,
    lastImportAt: row.lastImport?.at.toISOString() ?? "",
    lastImportBy: row.lastImport?.by ?? "",
    nextValidTo: row.age.nextValidTo?.toISOString() ?? "",
    rotationsLeft: row.age.rotations.kind === "left" ? row.age.rotations.left : row.age.rotations.kind === "unknown" ? "unknown" : "",
  }));
  return stringify(records, { header: true, columns: [...KEY_AGE_CSV_COLUMNS], record_delimiter: "\r\n", escape_formulas: true });
}

export function keyAgeFilename(at: Date): string {
  return `keyport-key-age-${at.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-")}.csv`;
}
