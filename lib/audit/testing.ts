import { constants, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import {
  CHECKPOINT_VERSION,
  FIRST_PREVIOUS,
  statementBytes,
  statementHash,
  type CheckpointAlgorithm,
  type CheckpointStatement,
  type SignedCheckpoint,
} from "./checkpoint-format";

/**
 * Checkpoints for tests, signed with a key pair made here the way KMS signs (MessageType RAW): what the
 * signing side produces, without KMS. Keeps the previous statement's hash so each checkpoint names it.
 */
export class TestCheckpointSigner {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
  previous = FIRST_PREVIOUS;

  constructor(
    readonly algorithm: CheckpointAlgorithm = "ECDSA_SHA_256",
    readonly keyArn = "arn:aws:kms:eu-west-1:111122223333:key/0c0c0c0c-1111-4222-8333-444455556666",
  ) {
    const pair =
      algorithm === "ECDSA_SHA_256"
        ? generateKeyPairSync("ec", { namedCurve: "P-256" })
        : generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.publicKey = pair.publicKey;
    this.privateKey = pair.privateKey;
  }

  /** A signed checkpoint of the head `seq`/`headHash`, next in this signer's checkpoint chain. */
  checkpoint(seq: number, headHash: string, at = new Date("2026-12-01T12:00:00.000Z")): SignedCheckpoint {
    const statement: CheckpointStatement = {
      v: CHECKPOINT_VERSION,
      seq,
      headHash,
      at: at.toISOString(),
      previous: this.previous,
      keyArn: this.keyArn,
      algorithm: this.algorithm,
    };
    this.previous = statementHash(statement);
    return { statement, signature: signStatement(statement, this.privateKey) };
  }

  publicKeyPem(): string {
    return this.publicKey.export({ type: "spki", format: "pem" }).toString();
  }
}

/** Base64 signature of a statement, as KMS Sign answers it (ECDSA DER, or RSASSA-PSS with a 32-byte salt). */
export function signStatement(statement: CheckpointStatement, privateKey: KeyObject): string {
  const bytes = statementBytes(statement);
  const key = statement.algorithm === "RSASSA_PSS_SHA_256" ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : privateKey;
  return sign("sha256", bytes, key).toString("base64");
}
