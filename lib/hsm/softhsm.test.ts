import { execFile } from "node:child_process";
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  DecryptCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  VerifyMacCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "@/lib/emulator";
import { createKey, kmsClient, Workdir } from "@/lib/emulator/test-support";
import { HSM_PLACEHOLDERS, hsmCommand, parametersReadme } from "@/lib/imports/commands";
import type { KeySpec } from "@/lib/imports/compat";
import { main } from "./command";
import type { HsmAlgorithm } from "./mechanisms";
import { findSoftHsm, MISSING_IN_CI, PIN, TestToken } from "./softhsm-test-support";
import { TokenSession } from "./token";
import { tokenCapabilities } from "./wrap";

/**
 * `npm run wrap` on a real PKCS#11 token: a throwaway SoftHSM2 token whose keys pkcs11-tool generates inside
 * it (sensitive, extractable), wrapped with every algorithm the token can do, imported into the emulator
 * through the AWS SDK, and proven to be the token's own material with the token doing its half of each
 * proof: equal HMACs, equal public keys and equal (deterministic) signatures, and AES-GCM both ways.
 *
 * Skipped only where SoftHSM2 is not installed and this is not CI; in CI a missing SoftHSM2 fails the run.
 */

const execFileAsync = promisify(execFile);
const REPO = join(__dirname, "..", "..");
const softhsm = findSoftHsm();

describe.runIf(softhsm !== null || !!process.env.CI)("npm run wrap on a SoftHSM2 token", () => {
  let token: TestToken;
  let emulator: RunningEmulator;
  let kms: KMSClient;
  let work: Workdir;
  let previousConf: string | undefined;

  beforeAll(async () => {
    if (!softhsm) throw new Error(MISSING_IN_CI);
    token = await TestToken.create(softhsm.module);
    previousConf = process.env.SOFTHSM2_CONF;
    // The in-process runs of the command load SoftHSM2 here, which reads its configuration from the environment.
    process.env.SOFTHSM2_CONF = token.conf;
    await token.generate("aes", "01", "AES:32");
    await token.generate("hmac", "02", "GENERIC:32");
    await token.generate("rsa", "03", "rsa:2048");
    await token.generate("aes-not-extractable", "04", "AES:32", { extractable: false });
    await token.generate("aes-not-sensitive", "05", "AES:32", { sensitive: false });
    emulator = await startEmulator({ admin: true, wrappingKeyPool: { RSA_2048: 4 } });
    kms = kmsClient(emulator);
    work = await Workdir.create();
  });

  afterAll(async () => {
    if (previousConf === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previousConf;
    await emulator?.close();
    await token?.cleanup();
    await work?.cleanup();
  });

  type Run = { code: number; stdout: string; stderr: string; dir: string; out: string };

  /** The command, in this process, in a directory of its own holding WrappingPublicKey.bin. */
  async function wrap(name: string, args: string[], publicKey?: Uint8Array): Promise<Run> {
    const dir = await work.sub(name);
    if (publicKey) await writeFile(join(dir, "WrappingPublicKey.bin"), publicKey);
    const out = join(dir, "EncryptedKeyMaterial.bin");
    let stdout = "";
    let stderr = "";
    const code = await main(["--module", softhsm!.module, "--token-label", token.label, "--out", out, ...args.map((a) => a.replace("{dir}", dir))], {
      env: { KEYPORT_PKCS11_PIN: PIN },
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      askPin: async () => null,
    });
    return { code, stdout, stderr, dir, out };
  }

  /** An EXTERNAL key, its import parameters, the wrap in the token, and ImportKeyMaterial. */
  async function importFromToken(keySpec: KeySpec, keyLabel: string, algorithm: HsmAlgorithm) {
    const usage = keySpec === "SYMMETRIC_DEFAULT" ? "ENCRYPT_DECRYPT" : keySpec.startsWith("HMAC") ? "GENERATE_VERIFY_MAC" : "SIGN_VERIFY";
    const key = await createKey(kms, keySpec, { usage });
    const parameters = await kms.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: algorithm, WrappingKeySpec: "RSA_2048" }));
    const run = await wrap(`${keyLabel}-${algorithm}`, ["--key-label", keyLabel, "--wrapping-public-key", "{dir}/WrappingPublicKey.bin", "--algorithm", algorithm], parameters.PublicKey);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const wrapped = await readFile(run.out);
    // What the command printed is what it wrote, and it wrote nothing else.
    expect(run.stdout).toContain(`SHA-256:    ${createHash("sha256").update(wrapped).digest("hex")}`);
    expect(run.stdout).toContain(`${wrapped.length} bytes`);
    expect((await readdir(run.dir)).sort()).toEqual(["EncryptedKeyMaterial.bin", "WrappingPublicKey.bin"]);
    await kms.send(
      new ImportKeyMaterialCommand({ KeyId: key.arn, ImportToken: parameters.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }),
    );
    return { ...key, run };
  }

  it("finds what Debian's SoftHSM2 2.6.1 offers for C_WrapKey (the README lists it)", () => {
    const session = TokenSession.open(softhsm!.module, token.label, PIN);
    try {
      expect(session.info.library).toBe("Implementation of PKCS11 2.6");
      const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const jwk = publicKey.export({ format: "jwk" });
      const imported = session.importRsaPublicKey(Buffer.from(jwk.n!, "base64url"), Buffer.from(jwk.e!, "base64url"));
      expect(session.mechanisms()).toEqual({ oaep: true, aesWrap: "CKM_AES_KEY_WRAP_PAD", aesKeyGen: true, ecKeyGen: true, rsaAesKeyWrap: false });
      expect(tokenCapabilities(session, imported)).toEqual({
        oaepMechanism: true,
        oaep: { sha256: { ok: false, rv: "CKR_ARGUMENTS_BAD" }, sha1: { ok: true } },
        aesWrap: "CKM_AES_KEY_WRAP_PAD",
        aesWrapFidelity: { secret: "pads", private: "pads" },
        aesKeyGen: true,
        rsaAesKeyWrap: false,
      });
    } finally {
      session.close();
    }
  });

  const WHERE = {
    RSAES_OAEP_SHA_1: "C_WrapKey with CKM_RSA_PKCS_OAEP (SHA-1, MGF1-SHA-1), wholly inside the token.",
    RSA_AES_KEY_WRAP_SHA_1: "then C_WrapKey with CKM_RSA_PKCS_OAEP (SHA-1, MGF1-SHA-1) of that AES key: wholly inside the token.",
    RSA_AES_KEY_WRAP_SHA_256: "then RSA-OAEP (SHA-256) of that AES key in this program's memory, because the token's C_WrapKey with CKM_RSA_PKCS_OAEP and SHA-256 (MGF1-SHA-256) answered CKR_ARGUMENTS_BAD.",
  } as const;

  describe.each(["RSAES_OAEP_SHA_1", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"] as const)("with %s", (algorithm) => {
    it("imports the token's AES-256 key: KMS encrypts and the token decrypts, the token encrypts and KMS decrypts", async () => {
      const key = await importFromToken("SYMMETRIC_DEFAULT", "aes", algorithm);
      expect(key.run.stdout).toContain(WHERE[algorithm]);
      // The emulator's ciphertext: "KPC1" ‖ key id (36) ‖ material id (32) ‖ nonce (12) ‖ tag (16) ‖ data,
      // AES-256-GCM with the additional data "<key ARN>\n[]" (no encryption context). AES-GCM's tag only
      // verifies under the very key that made it, so each direction proves the two keys are one.
      const aad = Buffer.from(`${key.arn}\n[]`);
      const plaintext = randomBytes(48);
      const encrypted = Buffer.from((await kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: plaintext }))).CiphertextBlob!);
      const [nonce, tag, data] = [encrypted.subarray(72, 84), encrypted.subarray(84, 100), encrypted.subarray(100)];
      expect(token.aesGcmDecrypt("aes", nonce, aad, Buffer.concat([data, tag]))).toEqual(plaintext);

      const fromToken = randomBytes(40);
      const tokenNonce = randomBytes(12);
      const sealed = token.aesGcmEncrypt("aes", tokenNonce, aad, fromToken);
      const blob = Buffer.concat([encrypted.subarray(0, 72), tokenNonce, sealed.subarray(-16), sealed.subarray(0, -16)]);
      const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
      expect(Buffer.from(decrypted.Plaintext!)).toEqual(fromToken);
    });

    it("imports the token's 32-byte generic secret as HMAC_256: GenerateMac equals the token's HMAC", async () => {
      const key = await importFromToken("HMAC_256", "hmac", algorithm);
      const message = Buffer.from(`Keyport HSM companion ${algorithm}`);
      const mac = await kms.send(new GenerateMacCommand({ KeyId: key.arn, Message: message, MacAlgorithm: "HMAC_SHA_256" }));
      const tokenMac = await token.sign("02", "SHA256-HMAC", message);
      expect(tokenMac).toHaveLength(32);
      expect(Buffer.from(mac.Mac!)).toEqual(tokenMac);
      const verified = await kms.send(new VerifyMacCommand({ KeyId: key.arn, Message: message, Mac: tokenMac, MacAlgorithm: "HMAC_SHA_256" }));
      expect(verified.MacValid).toBe(true);
    });
  });

  it("reads the algorithm, key spec and Region from the request page's zip, and checks the key fits", async () => {
    const key = await createKey(kms, "HMAC_256", { usage: "GENERATE_VERIFY_MAC" });
    const parameters = await kms.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_1", WrappingKeySpec: "RSA_3072" }));
    const dir = await work.sub("bundle");
    const bundle = (keySpec: KeySpec) =>
      zipSync({
        "README.txt": Buffer.from(
          parametersReadme({
            requestId: "6f1c1c5e-8d4a-4f43-9b7e-2a5b8c9d0e1f",
            keyArn: key.arn,
            accountId: emulator.baseAccountId,
            region: "eu-west-1",
            keySpec,
            wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_1",
            wrappingKeySpec: "RSA_3072",
            expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
            validTo: null,
            importType: null,
            parametersValidTo: parameters.ParametersValidTo!,
            files: [],
          }),
        ),
        "WrappingPublicKey.bin": parameters.PublicKey!,
      });
    await writeFile(join(dir, "right.zip"), bundle("HMAC_256"));
    await writeFile(join(dir, "wrong.zip"), bundle("HMAC_512"));

    const run = await wrap("bundle-right", ["--key-id", "02", "--bundle", join(dir, "right.zip")]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Algorithm:  RSA_AES_KEY_WRAP_SHA_1 under an RSA 3072 wrapping key");
    expect(run.stdout).toContain("Key spec:   HMAC_256 in eu-west-1: the key fits it");
    await kms.send(
      new ImportKeyMaterialCommand({ KeyId: key.arn, ImportToken: parameters.ImportToken, EncryptedKeyMaterial: await readFile(run.out), ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }),
    );
    const message = Buffer.from("bundle");
    const mac = await kms.send(new GenerateMacCommand({ KeyId: key.arn, Message: message, MacAlgorithm: "HMAC_SHA_256" }));
    expect(Buffer.from(mac.Mac!)).toEqual(await token.sign("02", "SHA256-HMAC", message));

    const wrong = await wrap("bundle-wrong", ["--key-id", "02", "--bundle", join(dir, "wrong.zip")]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("HMAC_512 in eu-west-1 takes 64 bytes of key material, and \"hmac\" is 32 bytes (CKA_VALUE_LEN).");
    expect(await readdir(wrong.dir)).toEqual([]);
  });

  describe("refuses, with exit code 2 and no output file", () => {
    let publicKey: Buffer;
    beforeAll(async () => {
      const key = await createKey(kms, "SYMMETRIC_DEFAULT");
      const parameters = await kms.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }));
      publicKey = Buffer.from(parameters.PublicKey!);
    });

    async function refused(name: string, keyLabel: string, algorithm: string): Promise<string> {
      const run = await wrap(name, ["--key-label", keyLabel, "--wrapping-public-key", "{dir}/WrappingPublicKey.bin", "--algorithm", algorithm], publicKey);
      expect(run.stdout).toBe("");
      expect(run.code).toBe(2);
      expect(await readdir(run.dir)).toEqual(["WrappingPublicKey.bin"]);
      return run.stderr;
    }

    it("a key that is not extractable, naming CKA_EXTRACTABLE", async () => {
      expect(await refused("not-extractable", "aes-not-extractable", "RSAES_OAEP_SHA_1")).toContain('The key "aes-not-extractable" has CKA_EXTRACTABLE=false');
    });

    it("a key that is not sensitive, naming CKA_SENSITIVE", async () => {
      expect(await refused("not-sensitive", "aes-not-sensitive", "RSA_AES_KEY_WRAP_SHA_1")).toContain('The key "aes-not-sensitive" has CKA_SENSITIVE=false');
    });

    it("RSAES_OAEP_SHA_256, which SoftHSM2 2.6 cannot do, naming the two algorithms it does wholly inside", async () => {
      const message = await refused("oaep-sha256", "aes", "RSAES_OAEP_SHA_256");
      expect(message).toContain("CKM_RSA_PKCS_OAEP and SHA-256 (MGF1-SHA-256) answered CKR_ARGUMENTS_BAD");
      expect(message).toContain("Issue the import parameters in Keyport with RSAES_OAEP_SHA_1 or RSA_AES_KEY_WRAP_SHA_1, which this token does wholly inside.");
    });

    it.each(["RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256"])("an RSA private key with %s, whose PKCS#8 SoftHSM2 2.6.1 zero-pads before wrapping", async (algorithm) => {
      const message = await refused(`rsa-${algorithm}`, "rsa", algorithm);
      expect(message).toContain("this token zero-pads a private key's PKCS#8 encoding to a multiple of 8 bytes before CKM_AES_KEY_WRAP_PAD");
      expect(message).toContain("This token offers no mechanism that wraps this key for KMS inside it.");
    });

    it("RSA-OAEP of a private key, which PKCS#11 defines for secret keys only", async () => {
      const message = await refused("oaep-private", "rsa", "RSAES_OAEP_SHA_1");
      expect(message).toContain("CKM_RSA_PKCS_OAEP wraps only secret keys, not a CKK_RSA private key");
      expect(message).toContain("RSA_AES_KEY_WRAP_SHA_1");
    });

    it("a key that is not there, and a wrong PIN", async () => {
      expect(await refused("missing", "no-such-key", "RSAES_OAEP_SHA_1")).toContain('No secret or private key labelled "no-such-key" (--key-label)');
      const dir = await work.sub("wrong-pin");
      let stderr = "";
      const code = await main(["--module", softhsm!.module, "--token-label", token.label, "--key-label", "aes", "--bundle", join(dir, "none.zip"), "--out", join(dir, "x")], {
        env: { KEYPORT_PKCS11_PIN: "000000" },
        stdout: () => {},
        stderr: (text) => (stderr += text),
        askPin: async () => null,
      });
      expect(code).toBe(2);
      expect(stderr).toContain("Cannot read");
      await writeFile(join(dir, "WrappingPublicKey.bin"), publicKey);
      const wrongPin = await main(
        ["--module", softhsm!.module, "--token-label", token.label, "--key-label", "aes", "--wrapping-public-key", join(dir, "WrappingPublicKey.bin"), "--algorithm", "RSAES_OAEP_SHA_1", "--out", join(dir, "x")],
        { env: { KEYPORT_PKCS11_PIN: "000000" }, stdout: () => {}, stderr: (text) => (stderr += text), askPin: async () => null },
      );
      expect(wrongPin).toBe(2);
      expect(stderr).toContain("refused the user PIN (CKR_PIN_INCORRECT)");
    });
  });

  it("runs as the request page and the README show it, through npm, with exit code 0 or 2", async () => {
    const key = await createKey(kms, "SYMMETRIC_DEFAULT");
    const parameters = await kms.send(new GetParametersForImportCommand({ KeyId: key.arn, WrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_1", WrappingKeySpec: "RSA_2048" }));
    const dir = await work.sub("as-documented");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "WrappingPublicKey.bin"), parameters.PublicKey!);
    const shown = hsmCommand({ keySpec: "SYMMETRIC_DEFAULT", wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_1" }).command!;
    const command = (keyLabel: string) =>
      `cd ${JSON.stringify(REPO)} && ` +
      shown
        .replace(`KEYPORT_PKCS11_PIN=${HSM_PLACEHOLDERS.pin}`, `KEYPORT_PKCS11_PIN=${PIN}`)
        .replace(HSM_PLACEHOLDERS.module, softhsm!.module)
        .replace(HSM_PLACEHOLDERS.token, token.label)
        .replace(HSM_PLACEHOLDERS.key, keyLabel)
        .replaceAll("WrappingPublicKey.bin", join(dir, "WrappingPublicKey.bin"))
        .replaceAll("EncryptedKeyMaterial.bin", join(dir, "EncryptedKeyMaterial.bin"));
    const bash = (keyLabel: string) =>
      execFileAsync("bash", ["-euo", "pipefail", "-c", command(keyLabel)], { env: token.env, encoding: "utf8" }).then(
        ({ stdout }) => ({ code: 0, stdout, stderr: "" }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );

    const ok = await bash("aes");
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`Token:      "${token.label}": SoftHSM project SoftHSM v2`);
    const wrapped = await readFile(join(dir, "EncryptedKeyMaterial.bin"));
    expect(ok.stdout).toContain(`SHA-256:    ${createHash("sha256").update(wrapped).digest("hex")}`);
    await kms.send(new ImportKeyMaterialCommand({ KeyId: key.arn, ImportToken: parameters.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));

    const refusal = await bash("aes-not-extractable");
    expect(refusal.code).toBe(2);
    expect(refusal.stderr).toContain("CKA_EXTRACTABLE=false");
  }, 60_000);
});
