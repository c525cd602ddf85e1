import { open, readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import type { KeyObject } from "node:crypto";
import { parseCheckpoint, publicKeyFingerprint, publicKeyFrom, type SignedCheckpoint } from "../checkpoint-format";
import { verifyEvidence, type EvidenceRecord } from "../evidence-format";
import { verifyExport, type ExportVerification } from "../export-format";
import { auditBreakReasonText } from "../labels";

/**
 * npm run -s audit:verify -- <export.jsonl> [--public-key key.pem] [--checkpoint checkpoint-<seq>.json]
 * npm run -s audit:verify -- --evidence <evidence.json> [--public-key key.pem]
 *
 * Verifies a JSON Lines export of the whole trail with no database and no network: every event's hash and
 * link, every checkpoint's head and link (and signature, given the signing key's public key), and the end of
 * the chain against a checkpoint kept outside the database. Prints `intact: …` and exits 0, or one line per
 * broken event and exits 1; bad usage or a file it cannot read: a message on stderr, exit 2.
 *
 * With --evidence, the file is a request's evidence record (evidence-format.ts): its stretch of the chain is
 * recomputed, its steps re-derived from it, and its closing checkpoint's signature checked. Prints
 * `intact: evidence of request <id>, <n> events, anchored by a signed checkpoint at seq <s>` and exits 0, or
 * one line per problem and exits 1 — also when no checkpoint, or no checked signature, anchors it.
 */

const USAGE = [
  "usage: npm run -s audit:verify -- <export.jsonl> [--public-key signing-key.pem] [--checkpoint checkpoint-<seq>.json]",
  "       npm run -s audit:verify -- --evidence <evidence.json> [--public-key signing-key.pem]",
].join("\n");

class UsageError extends Error {}

const CAUSES: Record<string, string> = { ENOENT: "no such file", EISDIR: "it is a directory", EACCES: "permission denied" };

function cause(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && CAUSES[code]) ?? code ?? (e as Error).message;
}

// npm runs scripts from the package's directory; the paths a person types are relative to where they typed them.
const here = process.env.INIT_CWD ?? process.cwd();

async function readInput(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path.resolve(here, file));
  } catch (e) {
    throw new UsageError(`Cannot read the ${what} ${file}: ${cause(e)}.`);
  }
}

async function loadPublicKey(file: string): Promise<KeyObject> {
  const bytes = await readInput(file, "public key");
  const text = bytes.toString("utf8");
  try {
    return publicKeyFrom(text.includes("-----BEGIN") ? text : bytes);
  } catch {
    throw new UsageError(`${file} is not a public key: give the signing key's public key as PEM or DER (SubjectPublicKeyInfo, as KMS GetPublicKey answers it).`);
  }
}

async function loadCheckpoint(file: string): Promise<SignedCheckpoint> {
  const text = (await readInput(file, "checkpoint")).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON: give a checkpoint-<seq>.json file as Keyport wrote it.`);
  }
  const checkpoint = parseCheckpoint(json);
  if (typeof checkpoint === "string") throw new UsageError(`${file} is not a checkpoint: ${checkpoint}.`);
  return checkpoint;
}

async function verifyFile(file: string, publicKey: KeyObject | null, latestExternal: SignedCheckpoint | null): Promise<ExportVerification> {
  let handle;
  try {
    handle = await open(path.resolve(here, file));
  } catch (e) {
    throw new UsageError(`Cannot read the export ${file}: ${cause(e)}.`);
  }
  try {
    return await verifyExport(handle.createReadStream({ encoding: "utf8", autoClose: false }), { format: "jsonl", publicKey, latestExternal });
  } catch (e) {
    // Not a malformed record (verifyExport reports those) but the file failing under us: a directory, an I/O error.
    throw new UsageError(`Cannot read the export ${file}: ${cause(e)}.`);
  } finally {
    await handle.close();
  }
}

/**
 * One line per broken event: an event that breaks two rules gets them both on its line. The breaks of one
 * event come together and each names a different rule; a repeated event (same seq, same rule) gets its own.
 */
function breakLines(result: ExportVerification): string[] {
  const lines: { seq: number | null; reasons: string[]; text: string }[] = [];
  for (const b of result.breaks) {
    const last = lines[lines.length - 1];
    if (b.reason === "malformed") lines.push({ seq: null, reasons: [], text: b.message });
    else if (last && last.seq === b.seq && !last.reasons.includes(b.reason)) {
      last.reasons.push(b.reason);
      last.text += `; ${auditBreakReasonText(b.reason)}`;
    } else lines.push({ seq: b.seq, reasons: [b.reason], text: `seq ${b.seq}: ${auditBreakReasonText(b.reason)}` });
  }
  const out = lines.map((l) => l.text);
  if (result.truncatedBreaks) out.push(`…and more (${result.breakCount} problems in all)`);
  return out;
}

async function verifyEvidenceFile(file: string, publicKey: KeyObject | null): Promise<number> {
  let record: EvidenceRecord;
  try {
    record = JSON.parse((await readInput(file, "evidence record")).toString("utf8")) as EvidenceRecord;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${file} is not JSON: give the evidence record as Keyport's request page downloads it.`);
  }
  if (typeof record !== "object" || record === null || !Array.isArray(record.events) || !Array.isArray(record.steps)) {
    throw new UsageError(`${file} is not a Keyport evidence record (no events and steps).`);
  }
  const verdict = verifyEvidence(record, publicKey);
  if (publicKey) process.stderr.write(`public key sha256 ${publicKeyFingerprint(publicKey)}\n`);
  const problems = [...verdict.problems];
  if (verdict.anchored === "none") problems.push("no signed checkpoint follows the request's last event: sign one on /audit and download the record again");
  if (verdict.anchored === "unsigned") problems.push("the closing checkpoint's signature was not checked: give --public-key");
  if (problems.length === 0) {
    const after = record.checkpoints.after!;
    process.stdout.write(`intact: evidence of request ${record.request.id}, ${verdict.events} events, anchored by a signed checkpoint at seq ${after.seq}\n`);
    return 0;
  }
  process.stdout.write(problems.join("\n") + "\n");
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { "public-key": { type: "string" }, checkpoint: { type: "string" }, evidence: { type: "string" } },
  });
  const publicKey = values["public-key"] ? await loadPublicKey(values["public-key"]) : null;
  if (values.evidence !== undefined) {
    if (positionals.length || values.checkpoint) throw new UsageError("--evidence takes one evidence record and no export or --checkpoint.");
    return verifyEvidenceFile(values.evidence, publicKey);
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? "Give one export file." : "Give the export file to verify.");
  const latestExternal = values.checkpoint ? await loadCheckpoint(values.checkpoint) : null;
  const result = await verifyFile(positionals[0]!, publicKey, latestExternal);

  if (publicKey) process.stderr.write(`public key sha256 ${publicKeyFingerprint(publicKey)}\n`);
  else if (result.checkpoints > 0) process.stderr.write("note: checkpoint signatures were not checked (give --public-key)\n");
  if (!latestExternal) process.stderr.write("note: events cut from the end cannot be seen without --checkpoint (the latest checkpoint file)\n");

  if (result.ok) {
    process.stdout.write(`intact: ${result.count} events, ${result.checkpoints} checkpoints, head ${result.lastHash}\n`);
    return 0;
  }
  process.stdout.write(breakLines(result).join("\n") + "\n");
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    // parseArgs throws TypeErrors with a code for unknown or incomplete options.
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    process.stderr.write(usage ? `${(e as Error).message}\n${USAGE}\n` : `audit:verify failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
