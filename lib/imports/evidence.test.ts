import { execFile } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditStandalone } from "@/lib/audit";
import { signCheckpoint, type CheckpointSigner } from "@/lib/audit/checkpoints";
import { verifyEvidence, type EvidenceRecord } from "@/lib/audit/evidence-format";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { ImportDeps } from "./deps";
import { evidenceFor } from "./evidence";
import { avery, casey, importHarness, reviewed, riley, startInput } from "./testing";
import { decide, startImport, uploadBlob } from "./workflow";

/**
 * The evidence record of a real import (the SDK against the emulator, the real database), closed by a signed
 * checkpoint, and what offline verification makes of it and of every way of altering it.
 */

const h = importHarness({ prefix: "evidence" });
const { makeDeps, newKey, wrapLikeACustodian } = h;
const keys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const signer: CheckpointSigner = {
  keyArn: "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  algorithm: "ECDSA_SHA_256",
  sign: async (message) => ({ signature: sign("sha256", message, keys.privateKey) }),
};
const copy = (record: EvidenceRecord): EvidenceRecord => JSON.parse(JSON.stringify(record)) as EvidenceRecord;

const repo = path.resolve(__dirname, "../..");
/** The offline command, as an auditor runs it: `npm run -s audit:verify -- --evidence <file> --public-key <pem>`. */
function auditVerify(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("npm", ["--prefix", repo, "run", "-s", "audit:verify", "--", ...args], { cwd, env: { ...process.env, INIT_CWD: cwd } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe.each(testDrivers())("the evidence record of an import on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;
  let directory: string;
  let requestId: string;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = makeDeps(db);
    directory = await mkdtemp(path.join(tmpdir(), "keyport-evidence-"));
    const key = await newKey(deps, "SYMMETRIC_DEFAULT");
    requestId = (await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_4096" }))).requestId;
    const { blob } = await wrapLikeACustodian(deps, requestId);
    await uploadBlob(deps, casey, requestId, blob);
    await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve", comment: "Checked against the change ticket." }));
  });
  afterAll(async () => {
    await db?.cleanup();
    await rm(directory, { recursive: true, force: true });
  });

  const generate = () => evidenceFor(db.database.db, requestId, { subject: riley.subject, name: riley.name }, new Date());

  it("is not anchored until a checkpoint follows the request's last event", async () => {
    const record = await generate();
    expect(record.checkpoints.after).toBeNull();
    expect(verifyEvidence(record, keys.publicKey)).toMatchObject({ ok: true, anchored: "none" });
  });

  it("summarises who did what, with the hashes, the approval's confirmation, the session names and KMS request ids", async () => {
    await appendAuditStandalone(db.database.db, { action: "auth.sign_in", actor: { subject: "someone-else", roles: [] } });
    await signCheckpoint({ db: db.database.db, signer, directory, now: () => new Date() }, "final_state");
    const record = await generate();
    expect(record.request).toMatchObject({ id: requestId, state: "imported", kind: "import", requestedBy: { subject: casey.subject, email: casey.email } });
    expect(record.request.keyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const actions = record.steps.map((s) => s.action);
    // The approval carries the import out, and Keyport verifies the material right after.
    expect(actions).toEqual(["import.requested", "import.parameters_issued", "import.downloaded", "import.uploaded", "import.approved", "import.imported", "import.verified"]);
    const issued = record.steps.find((s) => s.action === "import.parameters_issued")!;
    expect(issued).toMatchObject({ sessionName: "casey.custodian@demo.keyport", actor: { subject: casey.subject } });
    expect(issued.kmsRequestId).toBeTruthy();
    expect(issued.details).toMatchObject({ publicKeySha256: expect.stringMatching(/^[0-9a-f]{64}$/), importTokenSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(record.steps.find((s) => s.action === "import.approved")!.details).toMatchObject({ confirmation: expect.any(String), comment: "Checked against the change ticket." });
    expect(record.steps.find((s) => s.action === "import.imported")).toMatchObject({ sessionName: "avery.approver@demo.keyport", details: { keyMaterialId: record.request.keyMaterialId } });
    // The stretch includes the other person's sign-in between the import and the checkpoint, which closes it.
    expect(record.events.at(-1)).toMatchObject({ seq: record.checkpoints.after!.seq, action: "audit.checkpoint" });
    expect(record.events.some((e) => (e.actor as { subject: string }).subject === "someone-else")).toBe(true);

    expect(verifyEvidence(record, keys.publicKey)).toEqual({ ok: true, anchored: "signed", events: record.events.length, problems: [] });
    expect(verifyEvidence(record, null)).toMatchObject({ ok: true, anchored: "unsigned" });
  });

  it("fails when anything in it is altered, dropped, or signed by another key", async () => {
    const record = await generate();

    const flattered = copy(record);
    flattered.steps.find((s) => s.action === "import.approved")!.details.comment = "Approved after a four-eyes review.";
    expect(verifyEvidence(flattered, keys.publicKey).problems).toContain("the steps do not match the request's events in the chain");

    const rewritten = copy(record);
    const approval = rewritten.events.find((e) => e.action === "import.approved")!;
    (approval.actor as { subject: string }).subject = casey.subject;
    expect(verifyEvidence(rewritten, keys.publicKey).problems.join("\n")).toMatch(/seq \d+: its content does not match its hash/);

    const dropped = copy(record);
    dropped.events.splice(2, 1);
    expect(verifyEvidence(dropped, keys.publicKey).problems.join("\n")).toMatch(/events are missing/);

    expect(verifyEvidence(record, other.publicKey)).toMatchObject({ ok: false, problems: ["the closing checkpoint's signature is not the signing key's"] });
  });
  it("checks out offline with the command the page names, and fails when altered", async () => {
    const record = await generate();
    await writeFile(path.join(directory, "evidence.json"), `${JSON.stringify(record, null, 2)}\n`);
    await writeFile(path.join(directory, "signing-key.pem"), keys.publicKey.export({ type: "spki", format: "pem" }));
    const intact = await auditVerify(directory, "--evidence", "evidence.json", "--public-key", "signing-key.pem");
    expect(intact).toMatchObject({
      code: 0,
      stdout: `intact: evidence of request ${requestId}, ${record.events.length} events, anchored by a signed checkpoint at seq ${record.checkpoints.after!.seq}\n`,
    });
    const unsigned = await auditVerify(directory, "--evidence", "evidence.json");
    expect(unsigned).toMatchObject({ code: 1, stdout: "the closing checkpoint's signature was not checked: give --public-key\n" });
    const altered = copy(record);
    altered.request.justification = "Emergency change, approved verbally.";
    await writeFile(path.join(directory, "altered.json"), JSON.stringify(altered));
    const refused = await auditVerify(directory, "--evidence", "altered.json", "--public-key", "signing-key.pem");
    expect(refused).toMatchObject({ code: 1, stdout: "the request's justification is not what its events record\n" });
  }, 120_000);
});
