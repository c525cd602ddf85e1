import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as pkcs11js from "pkcs11js";

/**
 * A throwaway SoftHSM2 token for the companion's tests, in a temporary directory of its own (SOFTHSM2_CONF),
 * and the token-side half of each proof, done with tools independent of the companion: OpenSC's
 * pkcs11-tool generates the keys and computes HMACs, signatures and the public key; AES-GCM (which
 * pkcs11-tool cannot give additional data to) goes through pkcs11js directly.
 */

const execFileAsync = promisify(execFile);

const MODULE_CANDIDATES = [
  "/usr/lib/softhsm/libsofthsm2.so",
  "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
  "/usr/local/lib/softhsm/libsofthsm2.so",
];

function onPath(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: "ignore" });
  return !result.error;
}

/** Debian's softhsm2 (library and softhsm2-util) and opensc (pkcs11-tool), or null when either is missing. */
export function findSoftHsm(): { module: string } | null {
  const library = MODULE_CANDIDATES.find((path) => existsSync(path));
  if (!library || !onPath("softhsm2-util", ["--version"]) || !onPath("pkcs11-tool", ["--help"])) return null;
  return { module: library };
}

export const MISSING_IN_CI =
  "SoftHSM2 or OpenSC is not installed, and CI must run the HSM companion's tests on a real token rather than skip them: " +
  ".ci/run installs them (apt-get install -y softhsm2 opensc).";

export const PIN = "246813";
const SO_PIN = "97531086";

type Handle = Buffer;

export class TestToken {
  private constructor(
    readonly module: string,
    readonly dir: string,
    readonly label: string,
    readonly conf: string,
  ) {}

  static async create(module: string, label = "keyport-test"): Promise<TestToken> {
    const dir = await mkdtemp(join(tmpdir(), "keyport-softhsm-"));
    await mkdir(join(dir, "tokens"));
    const conf = join(dir, "softhsm2.conf");
    await writeFile(conf, `directories.tokendir = ${join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
    const token = new TestToken(module, dir, label, conf);
    await execFileAsync("softhsm2-util", ["--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", SO_PIN], { env: token.env });
    return token;
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, SOFTHSM2_CONF: this.conf };
  }

  async tool(args: string[]): Promise<string> {
    const { stdout } = await execFileAsync("pkcs11-tool", ["--module", this.module, "--token-label", this.label, "--login", "--pin", PIN, ...args], { env: this.env });
    return stdout;
  }

  /** A key generated inside the token by pkcs11-tool; `type` is e.g. AES:32, GENERIC:32, rsa:2048. */
  async generate(label: string, id: string, type: string, flags: { extractable?: boolean; sensitive?: boolean } = {}): Promise<void> {
    const { extractable = true, sensitive = true } = flags;
    const pair = type.startsWith("rsa:") || type.startsWith("EC:");
    await this.tool([
      pair ? "--keypairgen" : "--keygen",
      "--key-type", type, "--label", label, "--id", id, "--usage-sign",
      ...(extractable ? ["--extractable"] : []),
      ...(sensitive ? ["--sensitive"] : []),
    ]);
  }

  /**
   * pkcs11-tool --sign with `mechanism` (SHA256-HMAC, SHA256-RSA-PKCS …) under the key with CKA_ID `id`. By
   * id, not label: OpenSC 0.23's --sign with --label can pick another secret key of the token.
   */
  async sign(id: string, mechanism: string, message: Buffer): Promise<Buffer> {
    const input = join(this.dir, "sign.in");
    const output = join(this.dir, "sign.out");
    await writeFile(input, message);
    await this.tool(["--sign", "--mechanism", mechanism, "--id", id, "--input-file", input, "--output-file", output]);
    return readFile(output);
  }

  /** Runs `fn` in a logged-in pkcs11js session, initialized and finalized around it. */
  private withSession<T>(fn: (p11: pkcs11js.PKCS11, session: Handle) => T): T {
    const previous = process.env.SOFTHSM2_CONF;
    process.env.SOFTHSM2_CONF = this.conf;
    const p11 = new pkcs11js.PKCS11();
    p11.load(this.module);
    p11.C_Initialize();
    try {
      const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === this.label);
      if (!slot) throw new Error(`token ${this.label} not found`);
      const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      p11.C_Login(session, pkcs11js.CKU_USER, PIN);
      return fn(p11, session);
    } finally {
      p11.C_Finalize();
      if (previous === undefined) delete process.env.SOFTHSM2_CONF;
      else process.env.SOFTHSM2_CONF = previous;
    }
  }

  private static key(p11: pkcs11js.PKCS11, session: Handle, label: string): Handle {
    p11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY }, { type: pkcs11js.CKA_LABEL, value: label }]);
    const [handle] = p11.C_FindObjects(session, 2);
    p11.C_FindObjectsFinal(session);
    if (!handle) throw new Error(`no secret key ${label}`);
    return handle;
  }

  /** AES-GCM (96-bit nonce, 128-bit tag) with the token's key: returns ciphertext ‖ tag. */
  aesGcmEncrypt(label: string, nonce: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
    return this.withSession((p11, session) => {
      const mechanism = { mechanism: pkcs11js.CKM_AES_GCM, parameter: { type: pkcs11js.CK_PARAMS_AES_GCM, iv: nonce, aad, ivBits: 96, tagBits: 128 } };
      p11.C_EncryptInit(session, mechanism, TestToken.key(p11, session, label));
      return Buffer.from(p11.C_Encrypt(session, plaintext, Buffer.alloc(plaintext.length + 16)));
    });
  }

  /** AES-GCM decryption of ciphertext ‖ tag with the token's key; throws when the tag does not verify. */
  aesGcmDecrypt(label: string, nonce: Buffer, aad: Buffer, ciphertextAndTag: Buffer): Buffer {
    return this.withSession((p11, session) => {
      const mechanism = { mechanism: pkcs11js.CKM_AES_GCM, parameter: { type: pkcs11js.CK_PARAMS_AES_GCM, iv: nonce, aad, ivBits: 96, tagBits: 128 } };
      p11.C_DecryptInit(session, mechanism, TestToken.key(p11, session, label));
      return Buffer.from(p11.C_Decrypt(session, ciphertextAndTag, Buffer.alloc(ciphertextAndTag.length)));
    });
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
