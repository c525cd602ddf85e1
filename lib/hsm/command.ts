import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { readBundle, readWrappingKey, type WrappingKey } from "./inputs";
import { describeKey } from "./key-facts";
import { describePlan, HSM_ALGORITHMS, isHsmAlgorithm, type HsmAlgorithm } from "./mechanisms";
import { Refusal, refuse, refuseUsage } from "./refusal";
import { wrapInToken } from "./wrap";

/**
 * The `npm run -s wrap -- …` command (entry point: cli.ts): wraps key material inside a PKCS#11 token (an HSM) for AWS KMS ImportKeyMaterial,
 * so the plaintext never exists outside the token. README.md, "Wrap inside your HSM", documents it.
 * Exit codes: 0 wrapped, 2 refused (the message names the attribute, mechanism or option), 1 anything else.
 */

export const USAGE = `Usage: KEYPORT_PKCS11_PIN=… npm run -s wrap -- [options]

  --module PATH              the HSM's PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so)
  --token-label LABEL        the token holding the key
  --key-label LABEL          the key to wrap (a secret or private key) …
  --key-id HEX               … or its CKA_ID, in hex
  --wrapping-public-key FILE WrappingPublicKey.bin from Keyport's request page (DER, or its PEM) …
  --algorithm ALGORITHM      … and the request's wrapping algorithm: ${HSM_ALGORITHMS.join(", ")}
  --bundle FILE              or, in place of both, the request page's ImportParameters-….zip
                             (also checks that the key fits the request's key spec)
  --out FILE                 where to write the wrapped key material (EncryptedKeyMaterial.bin)

The user PIN comes from KEYPORT_PKCS11_PIN, or is asked for when it is unset and this runs in a terminal.
`;

export type CliIo = {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Asks for the PIN without echo; null when there is no terminal to ask on. */
  askPin: () => Promise<string | null>;
};

type Parsed = {
  modulePath: string;
  tokenLabel: string;
  key: { label: string } | { id: Buffer };
  out: string;
  inputs: () => Promise<{ wrappingKey: WrappingKey; algorithm: HsmAlgorithm; source: string; keySpec: ReturnType<typeof readBundle>["keySpec"]; region: string | null }>;
};

function parse(argv: string[]): Parsed | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        module: { type: "string" },
        "token-label": { type: "string" },
        "key-label": { type: "string" },
        "key-id": { type: "string" },
        "wrapping-public-key": { type: "string" },
        algorithm: { type: "string" },
        bundle: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    refuseUsage((error as Error).message);
  }
  if (values.help) return "help";
  const missing = (["module", "token-label", "out"] as const).filter((name) => !values[name]).map((name) => `--${name}`);
  if (missing.length) refuseUsage(`Missing ${missing.join(", ")}.`);
  const label = values["key-label"];
  const id = values["key-id"];
  if ((label === undefined) === (id === undefined)) refuseUsage("Give the key to wrap by --key-label or by --key-id, one of them.");
  if (id !== undefined && !/^(?:[0-9a-fA-F]{2})+$/.test(id)) refuseUsage(`--key-id takes the CKA_ID in hex (e.g. 01 or a1b2c3), not '${id}'.`);
  const bundle = values.bundle;
  const publicKeyFile = values["wrapping-public-key"];
  const algorithm = values.algorithm;
  if (bundle !== undefined && (publicKeyFile !== undefined || algorithm !== undefined)) refuseUsage("--bundle takes the place of --wrapping-public-key and --algorithm: give one or the other.");
  if (bundle === undefined && (publicKeyFile === undefined || algorithm === undefined)) refuseUsage("Give --wrapping-public-key and --algorithm, or --bundle.");
  if (algorithm !== undefined && !isHsmAlgorithm(algorithm)) {
    refuseUsage(`--algorithm must be one of ${HSM_ALGORITHMS.join(", ")}, not '${algorithm}'${algorithm === "SM2PKE" ? " (SM2PKE has no PKCS#11 mechanism: wrap it with the openssl commands)" : ""}.`);
  }
  return {
    modulePath: values.module!,
    tokenLabel: values["token-label"]!,
    key: label !== undefined ? { label } : { id: Buffer.from(id!, "hex") },
    out: values.out!,
    inputs: async () => {
      if (bundle !== undefined) return { ...readBundle(await readInput(bundle, "--bundle"), bundle), source: bundle };
      const wrappingKey = readWrappingKey(await readInput(publicKeyFile!, "--wrapping-public-key"), publicKeyFile!);
      return { wrappingKey, algorithm: algorithm as HsmAlgorithm, source: publicKeyFile!, keySpec: null, region: null };
    },
  };
}

async function readInput(path: string, option: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    refuse(`Cannot read ${path} (${option}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
}

/** Runs the command; resolves to the exit code. Separate from `process` so tests run it in-process too. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const parsed = parse(argv);
    if (parsed === "help") {
      io.stdout(USAGE);
      return 0;
    }
    const inputs = await parsed.inputs();
    // The CLI runs beside the app, so it reads its one secret itself rather than through lib/config.
    const pin = io.env.KEYPORT_PKCS11_PIN ?? (await io.askPin());
    if (!pin) refuse("No PIN: set KEYPORT_PKCS11_PIN to the token's user PIN, or run this in a terminal to be asked for it.");
    const result = wrapInToken({
      modulePath: parsed.modulePath,
      tokenLabel: parsed.tokenLabel,
      pin,
      key: parsed.key,
      wrappingKey: inputs.wrappingKey,
      algorithm: inputs.algorithm,
      keySpec: inputs.keySpec,
      region: inputs.region,
    });
    await writeFile(parsed.out, result.wrapped);
    const t = result.token;
    const lines = [
      `Token:      "${t.label}": ${t.manufacturer} ${t.model}, serial ${t.serial} (${t.library})`,
      `Key:        ${describeKey(result.key)}`,
      `Algorithm:  ${inputs.algorithm} under an RSA ${inputs.wrappingKey.modulusBits} wrapping key (${inputs.source}; wrapping public key SHA-256 ${inputs.wrappingKey.sha256})`,
      ...(inputs.keySpec ? [`Key spec:   ${inputs.keySpec}${inputs.region ? ` in ${inputs.region}` : ""}: the key fits it`] : []),
      `Mechanism:  ${describePlan(result.plan)}`,
      `Wrote:      ${parsed.out}, ${result.wrapped.length} bytes`,
      `SHA-256:    ${createHash("sha256").update(result.wrapped).digest("hex")}`,
      "",
      `Upload ${parsed.out} to the request in Keyport: the SHA-256 the request page shows for the upload must be the one above.`,
    ];
    io.stdout(`${lines.join("\n")}\n`);
    return 0;
  } catch (error) {
    if (error instanceof Refusal) {
      io.stderr(`wrap: refused: ${error.message}\n${error.showUsage ? `\n${USAGE}` : ""}`);
      return 2;
    }
    io.stderr(`wrap: failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 1;
  }
}
