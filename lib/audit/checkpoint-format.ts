import { createHash, createPublicKey, verify as verifySignature, constants, type KeyObject } from "node:crypto";
import { GENESIS_HASH, canonicalJson } from "./canonical";
import type { AuditEvent, JsonValue } from "./events";

/**
 * Signed checkpoints of the audit chain: what is signed, and how anyone checks it. Pure (no database, no
 * network), shared by Keyport's verify, the offline `audit:verify` command and their tests.
 *
 * A checkpoint states the chain head at a moment and is signed with an asymmetric KMS key that Keyport's
 * database cannot reach. Its statement is this JSON object:
 *
 *   { "v": 1, "seq": <the head's seq>, "headHash": "<the head event's hash>", "at": "<ISO 8601 UTC, ms>",
 *     "previous": "<statement hash of the previous checkpoint, or 64 zeros for the first>",
 *     "keyArn": "<the signing key's ARN>", "algorithm": "ECDSA_SHA_256" | "RSASSA_PSS_SHA_256" }
 *
 * - The signed message is the UTF-8 bytes of canonical_json(statement) (RFC 8785, as the chain itself; see
 *   canonical.ts), signed by KMS Sign with MessageType RAW: SHA-256 over those bytes, then ECDSA (the
 *   signature DER-encoded) or RSASSA-PSS with MGF1-SHA-256 and a 32-byte salt. openssl checks it with
 *     openssl dgst -sha256 -verify signing-key.pem -signature checkpoint.sig statement.json
 *   (for RSA add: -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32), where statement.json holds
 *   canonical_json(statement) with no trailing newline and checkpoint.sig the base64-decoded signature.
 * - The statement hash is the lowercase hex SHA-256 of the same bytes; each checkpoint names its
 *   predecessor's, so checkpoints form a chain of their own and one cannot be dropped unnoticed.
 * - In the trail, a checkpoint is the event `audit.checkpoint` appended right after the head it states
 *   (so its own seq is statement.seq + 1) with details { "statement": <statement>, "signature": "<base64>" }.
 *   The same two members are also written as a file outside the database (checkpoint-<seq>.json).
 *
 * A chain rewritten and rehashed by someone who can write the database breaks at the first checkpoint after
 * the rewrite: the head hash it states is no longer the hash of the event at its seq, and the statement
 * cannot be re-signed without the KMS key. A chain cut short breaks against the latest checkpoint kept
 * outside the database: its seq is past the end, or the event there has another hash.
 */

export const CHECKPOINT_ACTION = "audit.checkpoint";
export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_ALGORITHMS = ["ECDSA_SHA_256", "RSASSA_PSS_SHA_256"] as const;
export type CheckpointAlgorithm = (typeof CHECKPOINT_ALGORITHMS)[number];

export type CheckpointStatement = {
  v: typeof CHECKPOINT_VERSION;
  seq: number;
  headHash: string;
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  previous: string;
  keyArn: string;
  algorithm: CheckpointAlgorithm;
};

/** A checkpoint as the event's details and the file outside the database hold it. */
export type SignedCheckpoint = { statement: CheckpointStatement; signature: string };

export const FIRST_PREVIOUS = GENESIS_HASH;

/** The bytes that are signed and hashed. */
export function statementBytes(statement: CheckpointStatement): Buffer {
  return Buffer.from(canonicalJson(statement), "utf8");
}

export function statementHash(statement: CheckpointStatement): string {
  return createHash("sha256").update(statementBytes(statement)).digest("hex");
}

const HEX64 = /^[0-9a-f]{64}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Reads a checkpoint from untrusted JSON (an event's details, a file): the checkpoint, or why it is not one. */
export function parseCheckpoint(value: JsonValue | unknown): SignedCheckpoint | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not an object";
  const { statement, signature } = value as { statement?: unknown; signature?: unknown };
  if (typeof signature !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return "the signature is not base64";
  if (typeof statement !== "object" || statement === null || Array.isArray(statement)) return "no statement";
  const s = statement as Record<string, unknown>;
  const members = Object.keys(s).sort().join(",");
  if (members !== "algorithm,at,headHash,keyArn,previous,seq,v") return `unexpected statement members (${members})`;
  if (s.v !== CHECKPOINT_VERSION) return `unknown statement version ${String(s.v)}`;
  if (typeof s.seq !== "number" || !Number.isSafeInteger(s.seq) || s.seq < 0) return "seq is not a whole number";
  if (typeof s.headHash !== "string" || !HEX64.test(s.headHash)) return "headHash is not 64 hex digits";
  if (typeof s.previous !== "string" || !HEX64.test(s.previous)) return "previous is not 64 hex digits";
  if (typeof s.at !== "string" || !ISO_MS.test(s.at) || Number.isNaN(Date.parse(s.at))) return "at is not an ISO 8601 UTC time";
  if (typeof s.keyArn !== "string" || !s.keyArn.startsWith("arn:")) return "keyArn is not an ARN";
  if (!(CHECKPOINT_ALGORITHMS as readonly string[]).includes(s.algorithm as string)) return `unsupported algorithm ${String(s.algorithm)}`;
  return { statement: s as CheckpointStatement, signature };
}

/** The public key as the signing key's GetPublicKey answers it (DER SubjectPublicKeyInfo) or as PEM. */
export function publicKeyFrom(der: Uint8Array | string): KeyObject {
  return typeof der === "string" ? createPublicKey(der) : createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" });
}

/** SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex: what configuration pins. */
export function publicKeyFingerprint(key: KeyObject): string {
  return createHash("sha256").update(key.export({ type: "spki", format: "der" })).digest("hex");
}

/** Whether `signature` is `statement`'s, under `publicKey`, with the statement's algorithm. */
export function checkpointSignatureValid(checkpoint: SignedCheckpoint, publicKey: KeyObject): boolean {
  const bytes = statementBytes(checkpoint.statement);
  const signature = Buffer.from(checkpoint.signature, "base64");
  // Without this an RSA key would check an "ECDSA_SHA_256" statement as PKCS #1 v1.5, an algorithm it never names.
  const keyType = publicKey.asymmetricKeyType;
  if (checkpoint.statement.algorithm === "ECDSA_SHA_256" ? keyType !== "ec" : keyType !== "rsa" && keyType !== "rsa-pss") return false;
  try {
    if (checkpoint.statement.algorithm === "RSASSA_PSS_SHA_256") {
      return verifySignature("sha256", bytes, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    }
    return verifySignature("sha256", bytes, publicKey, signature);
  } catch {
    // A key of the wrong type for the algorithm, or a signature that does not parse: not valid.
    return false;
  }
}

/** Why a checkpoint does not hold against a chain. */
export type CheckpointBreakReason =
  | "checkpoint_malformed"
  | "checkpoint_signature_invalid"
  | "checkpoint_key_mismatch"
  | "checkpoint_head_mismatch"
  | "checkpoint_previous_mismatch"
  | "checkpoint_beyond_chain";

/**
 * Follows the checkpoints through a chain walked in seq order: feed every event (`event`), in order; it
 * answers why an event breaks a checkpoint rule, or null. A checkpoint states the event just before it, so
 * only the previous event's hash is kept: memory stays constant however long the chain (and a chain with no
 * checkpoint yet costs nothing).
 */
export class CheckpointFollower {
  count = 0;
  latest: SignedCheckpoint | null = null;
  private previous = FIRST_PREVIOUS;
  private last: { seq: number; hash: string } | null = null;

  constructor(
    private readonly publicKey: KeyObject | null,
    private readonly keyArn: string | null = null,
  ) {}

  event(e: AuditEvent): CheckpointBreakReason | null {
    const before = this.last;
    this.last = { seq: e.seq, hash: e.hash };
    if (e.action !== CHECKPOINT_ACTION) return null;
    const parsed = parseCheckpoint(e.details);
    if (typeof parsed === "string") return "checkpoint_malformed";
    const reason = this.check(parsed, e.seq, before);
    this.previous = statementHash(parsed.statement);
    this.latest = parsed;
    this.count += 1;
    return reason;
  }

  private check(checkpoint: SignedCheckpoint, seq: number, before: { seq: number; hash: string } | null): CheckpointBreakReason | null {
    const { statement } = checkpoint;
    if (this.keyArn && statement.keyArn !== this.keyArn) return "checkpoint_key_mismatch";
    if (this.publicKey && !checkpointSignatureValid(checkpoint, this.publicKey)) return "checkpoint_signature_invalid";
    if (statement.seq !== seq - 1 || before?.seq !== statement.seq || before.hash !== statement.headHash) {
      return statement.seq === 0 && seq === 1 && statement.headHash === GENESIS_HASH ? this.previousCheck(statement) : "checkpoint_head_mismatch";
    }
    return this.previousCheck(statement);
  }

  private previousCheck(statement: CheckpointStatement): CheckpointBreakReason | null {
    return statement.previous === this.previous ? null : "checkpoint_previous_mismatch";
  }
}

/**
 * Checks a chain's end against a checkpoint kept outside the database (the latest file): the chain must reach
 * its seq, and the event there must have the hash it states. `hashAt` answers the hash of the event at a seq
 * in the chain, or undefined where there is none.
 */
export function checkAgainstExternal(
  checkpoint: SignedCheckpoint,
  lastSeq: number,
  hashAt: (seq: number) => string | undefined,
): CheckpointBreakReason | null {
  if (checkpoint.statement.seq > lastSeq) return "checkpoint_beyond_chain";
  const hash = checkpoint.statement.seq === 0 ? GENESIS_HASH : hashAt(checkpoint.statement.seq);
  return hash === checkpoint.statement.headHash ? null : "checkpoint_head_mismatch";
}
