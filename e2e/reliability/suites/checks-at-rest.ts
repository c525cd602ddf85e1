import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { Stack } from "../stack";

/**
 * Import tokens and wrapped blobs at rest: only sealed (AES-256-GCM under the data key), never as the bytes
 * AWS or the custodian handed over, and the data key itself nowhere in the database. On PostgreSQL every
 * text and binary column is searched; on PGlite every file of its data directory, after the instance has
 * been stopped so that everything is written out (it is started again afterwards).
 */

type Needles = { token: Buffer; blob: Buffer; dataKey: Buffer };

/** Each secret in the spellings it could be stored or sent in: raw, base64, base64url and hex. */
export function spellings(name: string, value: Buffer | string): [string, Buffer][] {
  const bytes = typeof value === "string" ? Buffer.from(value) : value;
  const out: [string, Buffer][] = [[`${name}`, bytes]];
  if (typeof value !== "string") {
    out.push([`${name} (base64)`, Buffer.from(bytes.toString("base64").slice(0, 40))]);
    out.push([`${name} (base64url)`, Buffer.from(bytes.toString("base64url").slice(0, 40))]);
    out.push([`${name} (hex)`, Buffer.from(bytes.toString("hex").slice(0, 48))]);
  }
  return out;
}

/** Every file under `dir`, however deep. */
export function filesUnder(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(full, out);
    else out.push(full);
  }
  return out;
}

function needlesOf({ token, blob, dataKey }: Needles): [string, Buffer][] {
  return [
    ...spellings("the import token", token),
    ...spellings("the wrapped blob", blob),
    ...spellings("the data key", dataKey),
    ["the data key (base64, whole)", Buffer.from(dataKey.toString("base64"))],
  ];
}

async function postgresFindings(url: string, needles: [string, Buffer][]): Promise<{ problems: string[]; checked: string }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: columns } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type IN ('bytea', 'text', 'jsonb', 'json', 'character varying')`,
    );
    const problems: string[] = [];
    for (const { table_name: table, column_name: column, data_type: type } of columns) {
      const asBytes = type === "bytea" ? `"${column}"` : `convert_to("${column}"::text, 'UTF8')`;
      for (const [name, needle] of needles) {
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}" WHERE position($1::bytea in ${asBytes}) > 0`, [needle]);
        if (Number(rows[0]!.n) > 0) problems.push(`${name} in ${table}.${column}`);
      }
    }
    const { rows: sealed } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM parameter_sets WHERE length(import_token_ciphertext) > 0`);
    if (Number(sealed[0]!.n) === 0) problems.push("no sealed import token was found to check (parameter_sets is empty)");
    return { problems, checked: `${columns.length} text and binary columns of PostgreSQL searched for ${needles.length} byte strings` };
  } finally {
    await client.end();
  }
}

function fileFindings(dir: string, needles: [string, Buffer][]): { problems: string[]; checked: string } {
  const files = filesUnder(dir);
  const problems: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const body = readFileSync(file);
    bytes += statSync(file).size;
    for (const [name, needle] of needles) if (body.includes(needle)) problems.push(`${name} in ${path.relative(dir, file)}`);
  }
  if (files.length === 0) problems.push(`the data directory ${dir} is empty: nothing was checked`);
  return { problems, checked: `${files.length} files (${Math.round(bytes / 1024 / 1024)} MB) of PGlite's data directory searched for ${needles.length} byte strings` };
}

export async function atRestFindings(stack: Stack, secrets: Needles): Promise<{ problems: string[]; checked: string }> {
  const needles = needlesOf(secrets);
  if (stack.database.kind === "postgres") return postgresFindings(stack.database.url, needles);
  const app = stack.apps[0]!;
  await app.stop("SIGTERM");
  try {
    return fileFindings(app.dataDir, needles);
  } finally {
    await app.start();
  }
}
