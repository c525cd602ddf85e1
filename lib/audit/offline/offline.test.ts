import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import {
  SYSTEM_ACTOR,
  appendAuditStandalone,
  auditHead,
  computeEventHash,
  exportAudit,
  parseAuditExport,
  verifyAudit,
  verifyExport,
  type AuditEvent,
} from "../index";
import type { SignedCheckpoint } from "../checkpoint-format";
import { toJsonLine } from "../export-format";
import { TestCheckpointSigner } from "../testing";

const repo = path.resolve(__dirname, "../../..");
const reference = path.join(__dirname, "reference_verify.py");

type Run = { code: number | null; stdout: string; stderr: string };

function run(command: string, args: string[], cwd = repo): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, INIT_CWD: cwd } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The offline command as an auditor runs it, from the directory holding the files. */
const auditVerifyScript = (dir: string, ...args: string[]) => run("npm", ["--prefix", repo, "run", "-s", "audit:verify", "--", ...args], dir);
/** The same script without npm in front (faster). */
const auditVerify = (dir: string, ...args: string[]) =>
  run(path.join(repo, "node_modules/.bin/tsx"), [path.join(__dirname, "verify.ts"), ...args], dir);

const people = [
  { subject: "alice", name: "Alice Custodian", roles: ["custodian"] },
  { subject: "ζ@example.com", name: 'Bob "Bobby", Approver\nsecond line\t\u0001', roles: ["approver", "auditor"] },
];

// Text and numbers where canonical JSON implementations tend to differ: key order by UTF-16 code units (the
// emoji's surrogates sort before U+FB01, its code point after), escapes, and number forms.
const tricky = [
  { "ﬁ": 1, "😀": 2, é: 3, B: 4, a: [0.5, 1e-7, 1e21, 123456789012, -2.5, 0.30000000000000004] },
  { message: 'Line 1\r\nLine "2", back\\slash \u007f \u2028', nested: { arr: [1, "two", null, { k: false }] }, unicode: "ключ 🔑" },
  { empty: "", zero: 0, big: 1e300, tiny: 5e-324 },
];

async function seed(db: Db, signer: TestCheckpointSigner): Promise<SignedCheckpoint> {
  let latest: SignedCheckpoint | null = null;
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 6; i++) {
      await appendAuditStandalone(db, {
        action: i % 2 ? "import.uploaded" : "import.downloaded",
        actor: people[i % 2]!,
        targetId: "prod",
        region: "eu-west-1",
        requestId: i % 3 ? null : `6f1c2d9e-0000-4000-8000-00000000000${i}`,
        details: tricky[(round + i) % tricky.length]!,
      });
    }
    const head = await auditHead(db);
    latest = signer.checkpoint(head.lastSeq, head.lastHash);
    await appendAuditStandalone(db, { action: "audit.checkpoint", actor: SYSTEM_ACTOR, details: latest });
  }
  await appendAuditStandalone(db, { action: "audit.verified", actor: SYSTEM_ACTOR, details: { ok: true } });
  return latest!;
}

async function eventsOf(text: string): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for await (const e of parseAuditExport([text], "jsonl")) out.push(e);
  return out;
}

/** Changes the event at `seq` and recomputes every later hash: what someone who can write the database can do. */
function rehashed(events: AuditEvent[], seq: number, change: (e: AuditEvent) => AuditEvent): string {
  let prev = events.find((e) => e.seq === seq)!.prevHash;
  return events
    .map((e) => {
      if (e.seq < seq) return toJsonLine(e);
      const changed = e.seq === seq ? change(e) : e;
      const hash = computeEventHash(prev, changed);
      const line = toJsonLine({ ...changed, prevHash: prev, hash });
      prev = hash;
      return line;
    })
    .join("");
}

describe("offline verification of an export", () => {
  let t: TestDatabase;
  let dir: string;
  let text: string;
  let events: AuditEvent[];
  let intact: string;
  const signer = new TestCheckpointSigner();
  let latest: SignedCheckpoint;

  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    latest = await seed(t.database.db, signer);
    text = "";
    for await (const chunk of exportAudit(t.database.db, { format: "jsonl", batchSize: 7 })) text += chunk;
    events = await eventsOf(text);
    const verified = await verifyAudit(t.database.db, { publicKey: signer.publicKey });
    expect(verified).toMatchObject({ ok: true, count: 22, checkpoints: 3 });
    intact = `intact: ${verified.count} events, ${verified.checkpoints} checkpoints, head ${verified.lastHash}\n`;

    dir = mkdtempSync(path.join(os.tmpdir(), "keyport-offline-"));
    writeFileSync(path.join(dir, "export.jsonl"), text);
    writeFileSync(path.join(dir, "signing-key.pem"), signer.publicKeyPem());
    writeFileSync(path.join(dir, "stranger.pem"), new TestCheckpointSigner().publicKeyPem());
    writeFileSync(path.join(dir, `checkpoint-${latest.statement.seq}.json`), JSON.stringify(latest));
  });
  afterAll(async () => {
    await t?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("says intact for the real export, its checkpoints' signatures and the latest checkpoint file", async () => {
    const checkpointFile = `checkpoint-${latest.statement.seq}.json`;
    const full = await auditVerifyScript(dir, "export.jsonl", "--public-key", "signing-key.pem", "--checkpoint", checkpointFile);
    expect(full).toMatchObject({ code: 0, stdout: intact });
    const bare = await auditVerify(dir, path.join(dir, "export.jsonl"));
    expect(bare).toMatchObject({ code: 0, stdout: intact });
    expect(bare.stderr).toMatch(/signatures were not checked/);
  }, 60_000);

  it("lists each broken event in words and exits 1", async () => {
    const lines = text.split("\n");
    const edited = lines.map((l, i) => (i === 4 ? l.replace('"action":"import.downloaded"', '"action":"import.approved"') : l));
    // A changed prevHash breaks the link and the event's own hash: both on one line.
    edited[14] = edited[14]!.replace(/"prevHash":"./, '"prevHash":"x');
    edited.splice(9, 1); // seq 10 removed
    writeFileSync(path.join(dir, "tampered.jsonl"), edited.join("\n"));
    const result = await auditVerify(dir, "tampered.jsonl");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      "seq 5: its content does not match its hash: the event was changed after it was written\n" +
        "seq 11: a sequence number is missing or out of order: an event was removed or moved\n" +
        "seq 15: it does not point at the event before it: an event was inserted, removed, reordered or rehashed; " +
        "its content does not match its hash: the event was changed after it was written\n",
    );

    // Rewritten and rehashed to the end: every link holds; the checkpoints after the rewrite do not.
    writeFileSync(path.join(dir, "rehashed.jsonl"), rehashed(events, 9, (e) => ({ ...e, details: { rewritten: true } })));
    const rewritten = await auditVerify(dir, "rehashed.jsonl");
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout).toBe(
      [14, 21].map((seq) => `seq ${seq}: the head hash a checkpoint signed does not match the chain: events up to that head were rewritten\n`).join(""),
    );

    // Past 100 broken events the rest are counted, not listed.
    writeFileSync(path.join(dir, "repeated.jsonl"), `${text.split("\n")[0]}\n`.repeat(121));
    const many = (await auditVerify(dir, "repeated.jsonl")).stdout.trim().split("\n");
    expect(many).toHaveLength(101);
    expect(many[0]).toMatch(/^seq 1: a sequence number is missing or out of order/);
    expect(many[100]).toBe("…and more (120 problems in all)");

    const stranger = await auditVerify(dir, "export.jsonl", "--public-key", "stranger.pem");
    expect(stranger.stdout.trim().split("\n")).toEqual([7, 14, 21].map((seq) => expect.stringMatching(new RegExp(`^seq ${seq}: this checkpoint's signature does not verify`))));
  }, 90_000);

  it("finds a cut end with the latest checkpoint file only", async () => {
    const cut = text.split("\n").slice(0, 19).join("\n") + "\n"; // up to seq 19: the checkpoint of 20 and what follows gone
    writeFileSync(path.join(dir, "cut.jsonl"), cut);
    expect(await auditVerify(dir, "cut.jsonl")).toMatchObject({ code: 0 });
    const checked = await auditVerify(dir, "cut.jsonl", "--checkpoint", `checkpoint-${latest.statement.seq}.json`);
    expect(checked).toMatchObject({
      code: 1,
      stdout: "seq 20: the latest checkpoint kept outside the database states an event past the chain's end: events were cut from the end\n",
    });
  }, 60_000);

  it("refuses bad usage and files it cannot read with a message and exit 2", async () => {
    writeFileSync(path.join(dir, "not-a-key.pem"), "hello");
    for (const [args, message] of [
      [[], /Give the export file/],
      [["export.jsonl", "--evidence"], /--evidence/],
      [["export.jsonl", "--evidence", "export.jsonl"], /--evidence takes one evidence record and no export/],
      [["--evidence", "export.jsonl"], /export.jsonl is not JSON/],
      [["--bogus", "x"], /Unknown option '--bogus'/],
      [["missing.jsonl"], /Cannot read the export missing.jsonl: no such file/],
      [["."], /it is a directory/],
      [["export.jsonl", "--public-key", "not-a-key.pem"], /not-a-key.pem is not a public key/],
      [["export.jsonl", "--checkpoint", "export.jsonl"], /export.jsonl is not JSON/],
    ] as const) {
      const result = await auditVerify(dir, ...args);
      expect(result, args.join(" ")).toMatchObject({ code: 2, stdout: "" });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/usage: npm run -s audit:verify/);
    }
  }, 120_000);

  it("agrees with an independent Python implementation, and openssl checks the checkpoints it extracts", async () => {
    const statements = path.join(dir, "statements");
    const python = await run("python3", [reference, path.join(dir, "export.jsonl"), "--statements", statements]);
    expect(python).toMatchObject({ code: 0, stdout: intact });

    writeFileSync(path.join(dir, "rehashed.jsonl"), rehashed(events, 9, (e) => ({ ...e, details: { rewritten: "ключ 🔑" } })));
    const lines = text.split("\n");
    writeFileSync(path.join(dir, "edited.jsonl"), lines.map((l, i) => (i === 2 ? l.replace('"region":"eu-west-1"', '"region":"eu-west-2"') : l)).join("\n"));
    for (const file of ["rehashed.jsonl", "edited.jsonl"]) {
      const ours = (await verifyExport([readFileSync(path.join(dir, file), "utf8")], { format: "jsonl" })).breaks;
      expect(ours.length, file).toBeGreaterThan(0);
      const theirs = await run("python3", [reference, path.join(dir, file)]);
      expect(theirs, file).toMatchObject({ code: 1, stdout: ours.map((b) => `seq ${b.seq}: ${b.reason}\n`).join("") });
    }

    const written = readdirSync(statements).filter((f) => f.startsWith("statement-"));
    expect(written.sort()).toEqual(["statement-14.json", "statement-21.json", "statement-7.json"]);
    for (const seq of [7, 14, 21]) {
      const args = ["dgst", "-sha256", "-verify", path.join(dir, "signing-key.pem"), "-signature", path.join(statements, `signature-${seq}.sig`)];
      expect(await run("openssl", [...args, path.join(statements, `statement-${seq}.json`)])).toMatchObject({ code: 0, stdout: "Verified OK\n" });
    }
    const altered = readFileSync(path.join(statements, "statement-21.json"), "utf8").replace('"seq":20', '"seq":21');
    writeFileSync(path.join(statements, "statement-21.json"), altered);
    const refused = await run("openssl", ["dgst", "-sha256", "-verify", path.join(dir, "signing-key.pem"), "-signature", path.join(statements, "signature-21.sig"), path.join(statements, "statement-21.json")]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/Verification failure/);
  }, 60_000);
});
