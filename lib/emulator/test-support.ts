import { execFile } from "node:child_process";
import { createDecipheriv, createPublicKey } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CreateKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  KMSClient,
  type AlgorithmSpec,
  type KeySpec,
  type KeyUsageType,
  type WrappingKeySpec,
} from "@aws-sdk/client-kms";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { wrapKeyMaterial, type SupportedWrappingAlgorithm } from "./crypto/wrap";
import { adminClient, startEmulator, type AdminClient, type RunningEmulator, type SeededAccount } from "./index";
import { NodeSha256 } from "./sigv4";

/** Helpers shared by the emulator's tests: SDK clients, openssl (the independent implementation), temp files. */

const execFileAsync = promisify(execFile);

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A KMS client that does not retry, so every error surfaces as the emulator sent it. */
export function kmsClient(emulator: RunningEmulator, region = "eu-west-1", credentials: Credentials = emulator.credentials): KMSClient {
  return new KMSClient({ endpoint: emulator.endpoint, region, credentials, maxAttempts: 1 });
}

export function stsClient(emulator: RunningEmulator, credentials: Credentials = emulator.credentials): STSClient {
  return new STSClient({ endpoint: emulator.endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
}

export async function assumeRole(emulator: RunningEmulator, account: SeededAccount, sessionName = "test-session", sts = stsClient(emulator)): Promise<Credentials> {
  const result = await sts.send(new AssumeRoleCommand({ RoleArn: account.roleArn, RoleSessionName: sessionName, ExternalId: account.externalId }));
  const credentials = result.Credentials;
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) throw new Error("AssumeRole returned no credentials");
  return { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken };
}

/** Awaits a call that must fail with the given exception name (and message fragment); returns the error. */
export async function expectAwsError(call: Promise<unknown>, name: string, message?: string | RegExp): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
  );
  expect(error, `expected ${name}`).toBeDefined();
  expect((error as Error).name).toBe(name);
  if (message !== undefined) expect((error as Error).message).toMatch(message);
  return error as Error & { $metadata?: { httpStatusCode?: number } };
}

/** A temporary directory per test file; each case works in its own subdirectory. */
export class Workdir {
  private constructor(readonly root: string) {}

  static async create(): Promise<Workdir> {
    return new Workdir(await mkdtemp(join(tmpdir(), "keyport-emulator-")));
  }

  async sub(name: string): Promise<string> {
    const dir = join(this.root, name.replace(/[^\w.-]+/g, "_"));
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async cleanup(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

export async function openssl(args: string[], cwd: string): Promise<Buffer> {
  const { stdout } = await execFileAsync("openssl", args, { cwd, encoding: "buffer", maxBuffer: 1 << 20 });
  return stdout;
}

const OPENSSL_CURVES: Record<string, string> = {
  ECC_NIST_P256: "P-256",
  ECC_NIST_P384: "P-384",
  ECC_NIST_P521: "P-521",
  ECC_SECG_P256K1: "secp256k1",
};

/**
 * Key material as a custodian makes it with openssl, written to `material.bin` in `dir`: random bytes for
 * symmetric and HMAC keys, a PKCS#8 DER private key for RSA and ECC.
 */
export async function opensslMaterial(dir: string, keySpec: KeySpec, file = "material.bin"): Promise<Buffer> {
  if (keySpec === "SYMMETRIC_DEFAULT" || keySpec.startsWith("HMAC_")) {
    const bytes = keySpec === "SYMMETRIC_DEFAULT" ? 32 : Number(keySpec.slice(5)) / 8;
    await openssl(["rand", "-out", file, String(bytes)], dir);
  } else {
    const genArgs = keySpec.startsWith("RSA_")
      ? ["-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${keySpec.slice(4)}`]
      : ["-algorithm", "EC", "-pkeyopt", `ec_paramgen_curve:${OPENSSL_CURVES[keySpec]}`];
    await openssl(["genpkey", ...genArgs, "-out", `${file}.pem`], dir);
    await openssl(["pkcs8", "-topk8", "-inform", "PEM", "-outform", "DER", "-nocrypt", "-in", `${file}.pem`, "-out", file], dir);
  }
  return readFile(join(dir, file));
}

/**
 * Wraps `material.bin` for import with the same openssl commands Keyport prints for custodians
 * (lib/imports/commands.ts, README.md "Rehearse an import offline"), and returns EncryptedKeyMaterial.bin.
 */
export async function opensslWrap(dir: string, algorithm: SupportedWrappingAlgorithm, publicKeyDer: Uint8Array, materialFile = "material.bin"): Promise<Buffer> {
  await writeFile(join(dir, "WrappingPublicKey.bin"), publicKeyDer);
  const md = algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
  const rsaEncrypt = (input: string, output: string) =>
    openssl(
      ["pkeyutl", "-encrypt", "-in", input, "-out", output, "-inkey", "WrappingPublicKey.bin", "-keyform", "DER", "-pubin",
        "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", `rsa_oaep_md:${md}`, "-pkeyopt", `rsa_mgf1_md:${md}`],
      dir,
    );
  if (algorithm.startsWith("RSAES_OAEP")) {
    await rsaEncrypt(materialFile, "EncryptedKeyMaterial.bin");
  } else {
    await openssl(["rand", "-out", "aes.bin", "32"], dir);
    const aesHex = (await readFile(join(dir, "aes.bin"))).toString("hex");
    await openssl(["enc", "-id-aes256-wrap-pad", "-K", aesHex, "-iv", "A65959A6", "-in", materialFile, "-out", "mat.wrapped"], dir);
    await rsaEncrypt("aes.bin", "aes.wrapped");
    const joined = Buffer.concat([await readFile(join(dir, "aes.wrapped")), await readFile(join(dir, "mat.wrapped"))]);
    await writeFile(join(dir, "EncryptedKeyMaterial.bin"), joined);
  }
  return readFile(join(dir, "EncryptedKeyMaterial.bin"));
}

export async function createKey(kms: KMSClient, keySpec: KeySpec, options: { origin?: "EXTERNAL" | "AWS_KMS"; usage?: KeyUsageType; description?: string } = {}) {
  const usage = options.usage ?? defaultUsage(keySpec);
  const result = await kms.send(new CreateKeyCommand({ KeySpec: keySpec, KeyUsage: usage, Origin: options.origin ?? "EXTERNAL", Description: options.description }));
  const metadata = result.KeyMetadata;
  if (!metadata?.Arn || !metadata.KeyId) throw new Error("CreateKey returned no metadata");
  return { arn: metadata.Arn, keyId: metadata.KeyId };
}

export function defaultUsage(keySpec: KeySpec): KeyUsageType {
  if (keySpec.startsWith("HMAC_")) return "GENERATE_VERIFY_MAC";
  if (keySpec === "SYMMETRIC_DEFAULT") return "ENCRYPT_DECRYPT";
  return "SIGN_VERIFY";
}

/** Import parameters per key, reused while valid (a token serves any number of imports into its key). */
const parametersCache = new Map<string, { token: Uint8Array; publicKey: ReturnType<typeof createPublicKey>; algorithm: SupportedWrappingAlgorithm; validTo: number }>();

/**
 * GetParametersForImport (or reuse of the key's earlier parameters), wrap with node — the fast path for
 * tests that are not about wrapping — and ImportKeyMaterial.
 */
export async function importWithNode(
  kms: KMSClient,
  keyArn: string,
  material: Buffer,
  options: { algorithm?: SupportedWrappingAlgorithm; wrappingKeySpec?: WrappingKeySpec; validTo?: Date; importType?: "NEW_KEY_MATERIAL" | "EXISTING_KEY_MATERIAL"; keyMaterialId?: string; description?: string } = {},
) {
  const algorithm = options.algorithm ?? "RSA_AES_KEY_WRAP_SHA_256";
  let params = parametersCache.get(keyArn);
  // Tests move the emulator clock, so a cached token is reused only while it is comfortably young.
  if (!params || params.algorithm !== algorithm || params.validTo < Date.now() + 60 * 60 * 1000 || options.wrappingKeySpec) {
    const issued = await kms.send(
      new GetParametersForImportCommand({ KeyId: keyArn, WrappingAlgorithm: algorithm as AlgorithmSpec, WrappingKeySpec: options.wrappingKeySpec ?? "RSA_2048" }),
    );
    params = {
      token: issued.ImportToken as Uint8Array,
      publicKey: createPublicKey({ key: Buffer.from(issued.PublicKey as Uint8Array), format: "der", type: "spki" }),
      algorithm,
      validTo: (issued.ParametersValidTo as Date).getTime(),
    };
    parametersCache.set(keyArn, params);
  }
  return kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyArn,
      ImportToken: params.token,
      EncryptedKeyMaterial: wrapKeyMaterial(algorithm, params.publicKey, material),
      ExpirationModel: options.validTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE",
      ValidTo: options.validTo,
      ImportType: options.importType,
      KeyMaterialId: options.keyMaterialId,
      KeyMaterialDescription: options.description,
    }),
  );
}

/**
 * Decrypts an emulator ciphertext with the raw material, outside the emulator: the proof that a symmetric
 * key really holds the material that was wrapped. Layout (kms/crypto-operations.ts): "KPC1" ‖ key id (36) ‖
 * material id (32) ‖ nonce (12) ‖ tag (16) ‖ data; AES-GCM with AAD "<key ARN>\n<sorted context JSON>".
 */
export function decryptLocally(ciphertext: Uint8Array, material: Buffer, keyArn: string): Buffer {
  const blob = Buffer.from(ciphertext);
  const nonce = blob.subarray(72, 84);
  const decipher = createDecipheriv(material.length === 16 ? "aes-128-gcm" : "aes-256-gcm", material, nonce);
  decipher.setAAD(Buffer.from(`${keyArn}\n[]`));
  decipher.setAuthTag(blob.subarray(84, 100));
  return Buffer.concat([decipher.update(blob.subarray(100)), decipher.final()]);
}

/**
 * One KMS call over plain HTTP, signed with @smithy/signature-v4, returning the raw status, headers and
 * JSON: for asserting the wire format itself (the SDK would hide it) and for crafting bad signatures.
 */
export async function rawCall(
  emulator: RunningEmulator,
  options: {
    target?: string;
    body: string;
    contentType?: string;
    credentials?: Credentials;
    region?: string;
    service?: string;
    /** Changes the request after signing (to test signature checks). */
    tamper?: (request: { headers: Record<string, string>; body: string }) => void;
  },
): Promise<{ status: number; headers: Headers; text: string; json: () => Record<string, unknown> }> {
  const url = new URL(emulator.endpoint);
  const credentials = options.credentials ?? emulator.credentials;
  const signer = new SignatureV4({ service: options.service ?? "kms", region: options.region ?? "eu-west-1", credentials, sha256: NodeSha256 });
  const headers: Record<string, string> = { host: url.host, "content-type": options.contentType ?? "application/x-amz-json-1.1" };
  if (options.target) headers["x-amz-target"] = options.target;
  const signed = await signer.sign({ method: "POST", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: "/", query: {}, headers, body: options.body });
  const request = { headers: { ...signed.headers } as Record<string, string>, body: options.body };
  options.tamper?.(request);
  delete request.headers.host;
  const response = await fetch(emulator.endpoint, { method: "POST", headers: request.headers, body: request.body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/**
 * An emulator with no seed and an SDK client per Region, reset (state and clock) before each test: the
 * harness of the multi-Region tests. Call at the top of a test file.
 */
export function multiRegionHarness(regions: readonly string[]) {
  let emulator: RunningEmulator;
  let admin: AdminClient;
  let clients: Record<string, KMSClient> = {};
  beforeAll(async () => {
    emulator = await startEmulator({ seed: "none", admin: true });
    admin = adminClient(emulator.endpoint);
    clients = Object.fromEntries(regions.map((region) => [region, kmsClient(emulator, region)]));
  });
  afterAll(async () => {
    for (const client of Object.values(clients)) client.destroy();
    await emulator?.close();
  });
  beforeEach(async () => {
    await admin.reset();
    await admin.setClock(Date.now());
  });
  return {
    get emulator() {
      return emulator;
    },
    get admin() {
      return admin;
    },
    kms: (region: string) => clients[region] as KMSClient,
  };
}
