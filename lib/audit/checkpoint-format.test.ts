import { execFile } from "node:child_process";
import { constants, sign } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { GENESIS_HASH } from "./canonical";
import {
  CheckpointFollower,
  checkAgainstExternal,
  checkpointSignatureValid,
  parseCheckpoint,
  publicKeyFingerprint,
  publicKeyFrom,
  statementBytes,
  type SignedCheckpoint,
} from "./checkpoint-format";
import type { AuditEvent } from "./events";
import { TestCheckpointSigner } from "./testing";

const execFileAsync = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), "keyport-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = "ab".repeat(32);

/** README's "Verifying the audit trail offline" openssl block, as written. */
function readmeOpensslBlock(): string {
  const readme = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Verifying the audit trail offline"));
  const block = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes("openssl dgst"));
  expect(block).toBeDefined();
  return block!;
}

async function bash(script: string, cwd: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await execFileAsync("bash", ["-euo", "pipefail", "-c", script], { cwd });
    return { code: 0, stdout };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw e; // bash itself missing
    return { code: failed.code, stdout: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

describe.each(["ECDSA_SHA_256", "RSASSA_PSS_SHA_256"] as const)("a %s checkpoint", (algorithm) => {
  const signer = new TestCheckpointSigner(algorithm);
  const checkpoint = signer.checkpoint(1233, HEAD);

  it("verifies with its public key, as PEM or as KMS's DER, and not once altered", () => {
    const der = signer.publicKey.export({ type: "spki", format: "der" });
    for (const key of [publicKeyFrom(signer.publicKeyPem()), publicKeyFrom(new Uint8Array(der))]) {
      expect(checkpointSignatureValid(checkpoint, key)).toBe(true);
      expect(publicKeyFingerprint(key)).toBe(publicKeyFingerprint(signer.publicKey));
    }
    expect(checkpointSignatureValid({ ...checkpoint, statement: { ...checkpoint.statement, seq: 1234 } }, signer.publicKey)).toBe(false);
    expect(checkpointSignatureValid(checkpoint, new TestCheckpointSigner(algorithm).publicKey)).toBe(false);
  });

  it("verifies with openssl as the README says, and fails once the statement changes", async () => {
    const work = mkdtempSync(path.join(dir, `${algorithm}-`));
    writeFileSync(path.join(work, "checkpoint-1234.json"), `${JSON.stringify(checkpoint, null, 2)}\n`);
    writeFileSync(path.join(work, "signing-key.pem"), signer.publicKeyPem());
    let script = readmeOpensslBlock();
    if (algorithm === "RSASSA_PSS_SHA_256") {
      script = script.replace("openssl dgst -sha256", "openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32");
    }
    expect(await bash(script, work)).toEqual({ code: 0, stdout: "Verified OK\n" });
    // jq wrote exactly the signed bytes.
    expect(readFileSync(path.join(work, "statement.json"))).toEqual(statementBytes(checkpoint.statement));

    const forged = { ...checkpoint, statement: { ...checkpoint.statement, headHash: "cd".repeat(32) } };
    writeFileSync(path.join(work, "checkpoint-1234.json"), JSON.stringify(forged));
    const refused = await bash(script, work);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/Verification failure/);
  });
});

describe("checkpoint rules", () => {
  it("does not check a statement under an algorithm its key does not name", () => {
    const rsa = new TestCheckpointSigner("RSASSA_PSS_SHA_256");
    const statement = { ...rsa.checkpoint(5, HEAD).statement, algorithm: "ECDSA_SHA_256" as const };
    // A PKCS #1 v1.5 signature by the RSA key: valid RSA, but not the algorithm the statement names.
    const signature = sign("sha256", statementBytes(statement), { key: rsa.privateKey, padding: constants.RSA_PKCS1_PADDING }).toString("base64");
    expect(checkpointSignatureValid({ statement, signature }, rsa.publicKey)).toBe(false);
    const ec = new TestCheckpointSigner("ECDSA_SHA_256");
    const ecdsa = ec.checkpoint(5, HEAD);
    expect(checkpointSignatureValid({ ...ecdsa, statement: { ...ecdsa.statement, algorithm: "RSASSA_PSS_SHA_256" } }, ec.publicKey)).toBe(false);
  });

  it("reads only well-formed checkpoints", () => {
    const good = new TestCheckpointSigner().checkpoint(1, HEAD);
    expect(parseCheckpoint(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(parseCheckpoint(null)).toBe("not an object");
    expect(parseCheckpoint({ ...good, signature: "not base64!" })).toBe("the signature is not base64");
    expect(parseCheckpoint({ ...good, statement: { ...good.statement, extra: 1 } })).toMatch(/unexpected statement members/);
    expect(parseCheckpoint({ ...good, statement: { ...good.statement, headHash: "AB".repeat(32) } })).toBe("headHash is not 64 hex digits");
    expect(parseCheckpoint({ ...good, statement: { ...good.statement, at: "2026-12-01T12:00:00Z" } })).toBe("at is not an ISO 8601 UTC time");
  });

  it("follows heads and links through a chain, holding only the previous event", () => {
    const signer = new TestCheckpointSigner();
    const follower = new CheckpointFollower(signer.publicKey, signer.keyArn);
    let prev = GENESIS_HASH;
    const feed = (seq: number, details: SignedCheckpoint | null = null) => {
      const hash = (seq * 7).toString(16).padStart(64, "0");
      const e = { seq, hash, prevHash: prev, action: details ? "audit.checkpoint" : "import.uploaded", details: details ?? {} } as unknown as AuditEvent;
      prev = hash;
      return follower.event(e);
    };
    expect(feed(1, signer.checkpoint(0, GENESIS_HASH))).toBeNull(); // the empty chain's checkpoint
    for (let seq = 2; seq <= 5000; seq++) expect(feed(seq)).toBeNull();
    expect(feed(5001, signer.checkpoint(5000, prev))).toBeNull();
    expect(feed(5002)).toBeNull();
    // States an event two back: not the head it follows.
    expect(feed(5003, signer.checkpoint(5001, (5001 * 7).toString(16).padStart(64, "0")))).toBe("checkpoint_head_mismatch");
    expect(follower.count).toBe(3);
    expect(checkAgainstExternal(signer.checkpoint(5003, prev), 5003, (s) => (s === 5003 ? prev : undefined))).toBeNull();
    expect(checkAgainstExternal(signer.checkpoint(5004, prev), 5003, () => prev)).toBe("checkpoint_beyond_chain");
  });
});
