import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CreateKeyCommand, DescribeKeyCommand, type KeySpec as AwsKeySpec } from "@aws-sdk/client-kms";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, expect } from "vitest";
import { listAuditEvents } from "@/lib/audit";
import { now, nowMs } from "@/lib/clock";
import type { TestDatabase } from "@/lib/db/testing";
import { adminClient, startEmulator, type AdminClient, type RunningEmulator } from "@/lib/emulator";
import { KeyportError } from "@/lib/errors";
import { refreshKey } from "@/lib/inventory";
import * as inventoryQueries from "@/lib/inventory/queries";
import { KmsAccess, type KmsTarget } from "@/lib/kms";
import { custodianCommands, verificationCommand } from "./commands";
import type { KeySpec, WrappingAlgorithm, WrappingKeySpec } from "./compat";
import type { Actor, ImportDeps } from "./deps";
import { buildDownload } from "./downloads";
import * as queries from "./queries";
import { requestDetails } from "./read";
import { NO_BLOB, startImportSchema, type Decision } from "./schemas";

/**
 * What the integration tests of lib/imports share: the demo people, an emulator started for the test file
 * (`importHarness()` registers its beforeAll/afterAll), deps over a fresh database, and the custodian's
 * side done by running — with bash and the openssl CLI — exactly the commands Keyport prints for a request.
 * Test code only.
 */

export const casey: Actor = { subject: "demo-casey", name: "Casey Nakamura", email: "casey.custodian@demo.keyport", roles: ["custodian"] };
export const devon: Actor = { subject: "demo-devon", name: "Devon Okafor", email: "devon.custodian@demo.keyport", roles: ["custodian"] };
export const avery: Actor = { subject: "demo-avery", name: "Avery Lindqvist", email: "avery.approver@demo.keyport", roles: ["approver"] };
export const blake: Actor = { subject: "demo-blake", name: "Blake Moreau", email: "blake.approver@demo.keyport", roles: ["approver"] };
export const morgan: Actor = { subject: "demo-morgan", name: "Morgan Achterberg", email: "morgan.admin@demo.keyport", roles: ["admin"] };
export const riley: Actor = { subject: "demo-riley", name: "Riley Auditor", email: "riley.auditor@demo.keyport", roles: ["auditor"] };
/** Someone holding both roles: dual control must still stop them deciding on what they requested or uploaded. */
export const both = (actor: Actor): Actor => ({ ...actor, roles: ["custodian", "approver"] });

export const REGION = "eu-west-1";

const run = promisify(execFile);

export async function bash(command: string, cwd: string): Promise<string> {
  const { stdout } = await run("bash", ["-euo", "pipefail", "-c", command], { cwd, encoding: "utf8" });
  return stdout;
}

export async function expectRefusal(call: Promise<unknown>, code: string, message?: RegExp): Promise<KeyportError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a refusal with ${code}`).toBeInstanceOf(KeyportError);
  expect((error as KeyportError).code).toBe(code);
  if (message) expect((error as KeyportError).message).toMatch(message);
  return error as KeyportError;
}

export async function actionsOf(deps: ImportDeps, requestId: string): Promise<string[]> {
  const { events } = await listAuditEvents(deps.db, { requestId }, { limit: 200 });
  return events.map((e) => e.action).reverse();
}

/**
 * A decision as the page sends it: naming the SHA-256 of the blob the approver reviewed (the current one,
 * unless the test says otherwise) and, to approve, with the confirmation box ticked.
 */
export async function reviewed(deps: ImportDeps, input: Omit<Decision, "blobSha256" | "confirmed"> & Partial<Decision>): Promise<Decision> {
  const blob = await queries.currentBlob(deps.db, input.requestId);
  return { blobSha256: blob?.sha256 ?? NO_BLOB, confirmed: input.decision === "approve", ...input };
}

export function startInput(key: { targetId: string; region: string; keyId: string }, fields: Record<string, string>) {
  return startImportSchema.parse({
    target: key.targetId,
    region: key.region,
    keyId: key.keyId,
    expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
    justification: "Integration test of the approval-gated import",
    ...fields,
  });
}

/** The openssl commands' input for a request as stored (its key spec and wrapping known to be valid). */
export function commandInputFor(request: {
  keyArn: string;
  region: string;
  keySpec: string;
  wrappingAlgorithm: string | null;
  wrappingKeySpec: string | null;
  expirationModel: string | null;
  validTo: Date | null;
  importType: string | null;
}) {
  return {
    keyArn: request.keyArn,
    region: request.region,
    keySpec: request.keySpec as KeySpec,
    wrappingAlgorithm: request.wrappingAlgorithm as WrappingAlgorithm,
    wrappingKeySpec: request.wrappingKeySpec as WrappingKeySpec,
    expirationModel: request.expirationModel,
    validTo: request.validTo,
    importType: request.importType,
  };
}

export type ImportHarness = ReturnType<typeof importHarness>;

export function importHarness(options: { prefix?: string } = {}) {
  let emulator: RunningEmulator;
  let admin: AdminClient;
  let work: string;
  let targets: KmsTarget[];
  const accesses: KmsAccess[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ seed: "demo", admin: true, wrappingKeyPool: { RSA_2048: 4 } });
    admin = adminClient(emulator.endpoint);
    work = await mkdtemp(join(tmpdir(), options.prefix ?? "keyport-imports-"));
    targets = emulator.accounts
      .filter((a) => a.assumable)
      .map((a, i) => ({ id: i === 0 ? "prod" : `t${i}`, name: a.name, accountId: a.accountId, roleArn: a.roleArn, externalId: a.externalId, regions: emulator.regions }));
  });

  afterAll(async () => {
    for (const access of accesses) access.destroy();
    await emulator?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  function makeDeps(db: TestDatabase, approvalsRequired = 1): ImportDeps {
    // No SDK retries: an injected fault must reach the workflow as KMS sent it.
    const kms = new KmsAccess({ targets, endpoint: emulator.endpoint, now: nowMs, baseCredentials: emulator.credentials, maxAttempts: 1 });
    accesses.push(kms);
    const database = db.database.db;
    return {
      db: database,
      kms,
      now,
      approvalsRequired,
      dataKey: randomBytes(32),
      inventory: {
        getKey: (t, r, k) => inventoryQueries.getExternalKey(database, t, r, k),
        refreshKey: (t, r, k) => refreshKey(t, r, k, { db: database, kms, now }),
      },
    };
  }

  async function newKey(deps: ImportDeps, keySpec: KeySpec) {
    const usage = keySpec.startsWith("HMAC_") ? "GENERATE_VERIFY_MAC" : keySpec === "SYMMETRIC_DEFAULT" ? "ENCRYPT_DECRYPT" : "SIGN_VERIFY";
    const out = await deps.kms
      .kms("prod", REGION, { kind: "service" })
      .send(new CreateKeyCommand({ KeySpec: keySpec as AwsKeySpec, KeyUsage: usage, Origin: "EXTERNAL", Description: `workflow test ${keySpec}` }));
    const keyId = out.KeyMetadata!.KeyId!;
    const row = await deps.inventory.refreshKey("prod", REGION, keyId);
    expect(row).toMatchObject({ keyState: "PendingImport", keySpec });
    return { targetId: "prod", region: REGION, keyId, arn: out.KeyMetadata!.Arn! };
  }

  async function describeKeyState(deps: ImportDeps, arn: string) {
    const out = await deps.kms.kms("prod", REGION, { kind: "service" }).send(new DescribeKeyCommand({ KeyId: arn }));
    return out.KeyMetadata!;
  }

  /**
   * The custodian's side, as a person would do it: download the zip, check the README's hashes, make the
   * material (a private key for asymmetric specs), and run the commands Keyport printed for this request.
   */
  async function wrapLikeACustodian(deps: ImportDeps, requestId: string, actor: Actor = casey) {
    const details = await requestDetails(deps, requestId);
    const request = details!.request;
    const dir = join(work, `${requestId}-${randomBytes(4).toString("hex")}`);
    await mkdir(dir, { recursive: true });
    const zip = await buildDownload(deps, actor, requestId, "ImportParameters.zip");
    const files = unzipSync(zip.body);
    expect(Object.keys(files).sort()).toEqual(["ImportToken.bin", "README.txt", "WrappingPublicKey.bin", "WrappingPublicKey.pem"]);
    const readme = strFromU8(files["README.txt"]!);
    for (const name of ["WrappingPublicKey.bin", "WrappingPublicKey.pem", "ImportToken.bin"]) {
      await writeFile(join(dir, name), files[name]!);
    }
    const sums = await bash("sha256sum WrappingPublicKey.bin WrappingPublicKey.pem ImportToken.bin", dir);
    for (const line of sums.trim().split("\n")) expect(readme).toContain(line.replace(/\s+/, "  ") + "  (");

    const input = commandInputFor(request);
    const steps = custodianCommands(input);
    const step = (id: string) => steps.find((s) => s.id === id)!.command;
    await bash(step("verify-downloads"), dir);
    if (request.keySpec.startsWith("RSA_")) {
      await bash(`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:${request.keySpec.slice(4)} -out private-key.pem 2>/dev/null`, dir);
    } else if (request.keySpec.startsWith("ECC_")) {
      await bash("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out private-key.pem", dir);
    }
    await bash(step("material"), dir);
    const material = await readFile(join(dir, "material.bin"));
    await bash(step("wrap"), dir);
    const size = Number((await bash(step("check"), dir)).split("\n")[0]);
    const blob = await readFile(join(dir, "EncryptedKeyMaterial.bin"));
    expect(size).toBe(blob.length);
    return { dir, blob, material, readme, verify: verificationCommand(input.keySpec) };
  }

  return {
    get admin(): AdminClient {
      return admin;
    },
    /** The emulator itself, for a test that acts in KMS as someone other than Keyport. */
    get emulator(): RunningEmulator {
      return emulator;
    },
    makeDeps,
    newKey,
    describeKeyState,
    wrapLikeACustodian,
  };
}
