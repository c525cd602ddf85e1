import { familyOf, expectedBlobSize, describeBlobSize, materialSize, type KeySpec, type WrappingAlgorithm, type WrappingKeySpec } from "./compat";

/**
 * The exact commands a custodian runs offline for a request's algorithm and key spec (openssl), and what
 * Keyport runs in AWS on their behalf (AWS CLI equivalents) — shown on the request page with copy buttons
 * and written into the README.txt of the zip. lib/imports/README.md ("Which wrapping fits which key material")
 * describes the two shapes: one RSA-OAEP block, or RSA-OAEP of an AES key followed by the AES-wrapped material.
 *
 * Pure (no server-only): the request page renders them; nothing here is secret.
 */

export type CommandStep = { id: string; title: string; note?: string; command: string };

export type CommandInput = {
  keyArn: string;
  region: string;
  keySpec: KeySpec;
  wrappingAlgorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  expirationModel: string | null;
  validTo: Date | null;
  importType: string | null;
};

/** The message Keyport MACs for an HMAC key's key check value (ASCII, no newline). */
export const KCV_MESSAGE = "Keyport key check value v1";

export function macAlgorithmFor(keySpec: KeySpec): "HMAC_SHA_224" | "HMAC_SHA_256" | "HMAC_SHA_384" | "HMAC_SHA_512" | null {
  switch (keySpec) {
    case "HMAC_224":
      return "HMAC_SHA_224";
    case "HMAC_256":
      return "HMAC_SHA_256";
    case "HMAC_384":
      return "HMAC_SHA_384";
    case "HMAC_512":
      return "HMAC_SHA_512";
    default:
      return null;
  }
}

/** `openssl dgst` name of an HMAC key spec's digest (sha224 … sha512). */
function dgstOf(keySpec: KeySpec): string {
  return `sha${keySpec.slice("HMAC_".length)}`;
}

function oaepOptions(algorithm: WrappingAlgorithm): string {
  const md = algorithm.endsWith("SHA_1") ? "sha1" : "sha256";
  return `-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:${md} -pkeyopt rsa_mgf1_md:${md}`;
}

/** How the custodian gets the material into material.bin: raw bytes, or a PKCS#8 DER private key. */
export function materialStep(keySpec: KeySpec, region: string): CommandStep {
  const size = materialSize(keySpec, region);
  switch (familyOf(keySpec)) {
    case "SYMMETRIC":
    case "HMAC": {
      const bytes = size.kind === "exact" ? size.bytes : 32;
      return {
        id: "material",
        title: `Have the key material as raw bytes in material.bin (${bytes} bytes)`,
        note: "Export it from your HSM as raw bytes. Only for a rehearsal, random material will do:",
        command: `openssl rand -out material.bin ${bytes}`,
      };
    }
    case "RSA":
    case "ECC":
      return {
        id: "material",
        title: "Convert the private key to unencrypted PKCS#8 DER (material.bin)",
        note: "KMS takes asymmetric key material as a PKCS#8 DER private key, without a password.",
        command: "openssl pkcs8 -topk8 -inform PEM -outform DER -nocrypt -in private-key.pem -out material.bin",
      };
  }
}

/**
 * The files the wrap commands read and write, as shell words. The single-key commands run in the folder of
 * the downloads and name the files bare; the multi-Region session script passes each Region's paths, so
 * both print the same openssl lines. `scratch` names the intermediate files of RSA_AES_KEY_WRAP.
 */
export type WrapFiles = { material: string; publicKeyDer: string; publicKeyPem: string; out: string; scratch: (name: string) => string };

const HERE: WrapFiles = {
  material: "material.bin",
  publicKeyDer: "WrappingPublicKey.bin",
  publicKeyPem: "WrappingPublicKey.pem",
  out: "EncryptedKeyMaterial.bin",
  scratch: (name) => name,
};

/** The openssl lines that wrap the material for `algorithm` (one block of RSA-OAEP, or AES key wrap under RSA-OAEP). */
export function wrapStep(input: Pick<CommandInput, "wrappingAlgorithm">, files: WrapFiles = HERE): CommandStep {
  const { wrappingAlgorithm: algorithm } = input;
  const { material, publicKeyDer, out, scratch } = files;
  if (algorithm === "SM2PKE") {
    return {
      id: "wrap",
      title: "Wrap the material with the SM2 public key (SM2PKE)",
      note: "Requires an openssl with SM2 support (e.g. Tongsuo or openssl 3 built with SM2).",
      command: `openssl pkeyutl -encrypt -pubin -inkey ${files.publicKeyPem} -in ${material} -out ${out}`,
    };
  }
  if (algorithm.startsWith("RSA_AES_KEY_WRAP")) {
    const [aes, aesWrapped, materialWrapped] = [scratch("aes.bin"), scratch("aes.wrapped"), scratch("material.wrapped")];
    return {
      id: "wrap",
      title: `Wrap the material with ${algorithm}`,
      note: "A fresh 256-bit AES key wraps the material (RFC 5649, AES key wrap with padding); the RSA public key wraps the AES key; the two are concatenated, RSA part first.",
      command: [
        `openssl rand -out ${aes} 32`,
        `openssl enc -id-aes256-wrap-pad -K "$(xxd -p < ${aes} | tr -d '\\n')" -iv A65959A6 -in ${material} -out ${materialWrapped}`,
        `openssl pkeyutl -encrypt -in ${aes} -out ${aesWrapped} -inkey ${publicKeyDer} -keyform DER -pubin ${oaepOptions(algorithm)}`,
        `cat ${aesWrapped} ${materialWrapped} > ${out}`,
      ].join("\n"),
    };
  }
  return {
    id: "wrap",
    title: `Wrap the material with ${algorithm}`,
    command: `openssl pkeyutl -encrypt -in ${material} -out ${out} -inkey ${publicKeyDer} -keyform DER -pubin ${oaepOptions(algorithm)}`,
  };
}

/** The openssl side: what the custodian runs offline, in order. */
export function custodianCommands(input: CommandInput): CommandStep[] {
  const size = expectedBlobSize(input.keySpec, input.region, input.wrappingAlgorithm, input.wrappingKeySpec);
  const cleanup = input.wrappingAlgorithm.startsWith("RSA_AES_KEY_WRAP") ? "shred -u material.bin aes.bin aes.wrapped material.wrapped" : "shred -u material.bin";
  return [
    {
      id: "verify-downloads",
      title: "Check the downloaded files against the SHA-256 values Keyport shows",
      command: "sha256sum WrappingPublicKey.bin ImportToken.bin",
    },
    materialStep(input.keySpec, input.region),
    wrapStep(input),
    {
      id: "check",
      title: `Check the result: it must be ${describeBlobSize(size)}`,
      command: "wc -c < EncryptedKeyMaterial.bin && sha256sum EncryptedKeyMaterial.bin",
    },
    {
      id: "cleanup",
      title: "Destroy the plaintext copies, then upload EncryptedKeyMaterial.bin to this request",
      command: cleanup,
    },
  ];
}

/** The placeholders of the HSM command, which the custodian replaces with their HSM's names. */
export const HSM_PLACEHOLDERS = { pin: "…", module: "<PKCS#11 library>", token: "<token label>", key: "<label of the key to wrap>" } as const;

/**
 * The HSM path beside the openssl one: `npm run -s wrap` (lib/hsm) wraps inside a PKCS#11 token with
 * C_WrapKey, so the plaintext never leaves it. The same text is in README.md ("Wrap inside your HSM").
 * Null command where no HSM can produce the request's wrapping: SM2PKE has no PKCS#11 mechanism, and
 * PKCS#11's CKM_RSA_PKCS_OAEP wraps only secret keys, so an asymmetric private key needs RSA_AES_KEY_WRAP.
 * The note recommends what HSMs do: SoftHSM2 2.6 (Debian 12), for one, does RSA-OAEP only with SHA-1.
 */
export function hsmCommand(input: Pick<CommandInput, "keySpec" | "wrappingAlgorithm">, uploadedSha256: string | null = null): { title: string; note: string; command: string | null } {
  const algorithm = input.wrappingAlgorithm;
  const title = "Or wrap inside your HSM (PKCS#11), so the plaintext never leaves it";
  const privateKey = familyOf(input.keySpec) === "RSA" || familyOf(input.keySpec) === "ECC";
  if (algorithm === "SM2PKE" || algorithm === "RSAES_PKCS1_V1_5") {
    return { title, note: `${algorithm} has no PKCS#11 mechanism the companion can use: wrap with the openssl commands above.`, command: null };
  }
  if (privateKey && algorithm.startsWith("RSAES_OAEP")) {
    return {
      title,
      note: `An HSM cannot wrap a private key with ${algorithm}: PKCS#11's RSA-OAEP (CKM_RSA_PKCS_OAEP) wraps only secret keys. To wrap this key inside your HSM, issue the parameters with RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1.`,
      command: null,
    };
  }
  const recommendation = {
    RSAES_OAEP_SHA_256:
      "Needs an HSM whose C_WrapKey does RSA-OAEP with SHA-256; SoftHSM2 2.6, for one, does only SHA-1, and the command then refuses and names what your HSM can do (there: RSAES_OAEP_SHA_1 or RSA_AES_KEY_WRAP_SHA_1).",
    RSAES_OAEP_SHA_1: "Runs wholly inside any HSM with RSA-OAEP (SHA-1) for C_WrapKey.",
    RSA_AES_KEY_WRAP_SHA_256:
      "Runs wholly inside HSMs with AES key wrap with padding and RSA-OAEP with SHA-256. Where the HSM lacks the latter (SoftHSM2 2.6), the one-use AES transport key is RSA-encrypted in the command's memory and it says so; the key itself still never leaves the HSM. RSA_AES_KEY_WRAP_SHA_1 runs wholly inside such HSMs.",
    RSA_AES_KEY_WRAP_SHA_1: "Runs wholly inside any HSM with AES key wrap with padding and RSA-OAEP (SHA-1) for C_WrapKey.",
  }[algorithm];
  const check = uploadedSha256
    ? `It prints the SHA-256 of what it wrote: the current upload's is ${uploadedSha256}.`
    : "It prints the SHA-256 of what it wrote: once you upload the file, the request page shows the same value under “Wrapped key material”.";
  const p = HSM_PLACEHOLDERS;
  return {
    title,
    note: `From a Keyport checkout (npm ci). ${recommendation} ${check}`,
    command: [
      `KEYPORT_PKCS11_PIN=${p.pin} npm run -s wrap -- --module ${p.module} --token-label ${p.token} \\`,
      `  --key-label ${p.key} --wrapping-public-key WrappingPublicKey.bin \\`,
      `  --algorithm ${algorithm} --out EncryptedKeyMaterial.bin`,
    ].join("\n"),
  };
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The AWS CLI equivalents of what Keyport does in AWS for this request (for reference and review). */
export function awsCliCommands(input: CommandInput): CommandStep[] {
  const expiry =
    input.expirationModel === "KEY_MATERIAL_EXPIRES" && input.validTo
      ? ` \\\n  --expiration-model KEY_MATERIAL_EXPIRES --valid-to ${isoSeconds(input.validTo)}`
      : " \\\n  --expiration-model KEY_MATERIAL_DOES_NOT_EXPIRE";
  const importType = input.importType ? ` \\\n  --import-type ${input.importType}` : "";
  return [
    {
      id: "get-parameters",
      title: "What Keyport called to issue these parameters (as you, through the target's role)",
      command: `aws kms get-parameters-for-import --region ${input.region} --key-id ${input.keyArn} \\\n  --wrapping-algorithm ${input.wrappingAlgorithm} --wrapping-key-spec ${input.wrappingKeySpec}`,
    },
    {
      id: "import",
      title: "What Keyport calls once the import is approved (as the approver who completes the quorum)",
      note: "Shown so you can see exactly what happens. Do not run it yourself: that would bypass dual control.",
      command: `aws kms import-key-material --region ${input.region} --key-id ${input.keyArn} \\\n  --encrypted-key-material fileb://EncryptedKeyMaterial.bin --import-token fileb://ImportToken.bin${expiry}${importType}`,
    },
    {
      id: "describe",
      title: "Check the key afterwards",
      command: `aws kms describe-key --region ${input.region} --key-id ${input.keyArn} \\\n  --query 'KeyMetadata.[KeyState, ExpirationModel, ValidTo, CurrentKeyMaterialId]' --output text`,
    },
  ];
}

/** How a custodian checks offline what Keyport's verification showed after the import. */
export function verificationCommand(keySpec: KeySpec): CommandStep | null {
  switch (familyOf(keySpec)) {
    case "HMAC":
      return {
        id: "kcv",
        title: "Compute the key check value offline from the material",
        note: `The HMAC of the ASCII message "${KCV_MESSAGE}" under the key material; it must equal the value KMS computed.`,
        command: `printf '%s' '${KCV_MESSAGE}' | openssl dgst -${dgstOf(keySpec)} -mac HMAC -macopt hexkey:"$(xxd -p < material.bin | tr -d '\\n')"`,
      };
    case "RSA":
    case "ECC":
      return {
        id: "fingerprint",
        title: "Compute the public key fingerprint offline from the private key",
        note: "The SHA-256 of the DER SubjectPublicKeyInfo; it must equal the fingerprint of the public key KMS reports.",
        command: "openssl pkey -in private-key.pem -pubout -outform DER | sha256sum",
      };
    case "SYMMETRIC":
      return null;
  }
}

export type ReadmeFile = { name: string; sha256: string; size: number };

/** README.txt of the parameters zip. */
export function parametersReadme(
  input: CommandInput & { requestId: string; parametersValidTo: Date; accountId: string; files: ReadmeFile[] },
): string {
  const size = expectedBlobSize(input.keySpec, input.region, input.wrappingAlgorithm, input.wrappingKeySpec);
  const lines: string[] = [
    "Keyport import parameters",
    "=========================",
    "",
    `Request:            ${input.requestId}`,
    `Key:                ${input.keyArn}`,
    `Account / Region:   ${input.accountId} / ${input.region}`,
    `Key spec:           ${input.keySpec}`,
    `Wrapping:           ${input.wrappingAlgorithm} with an ${input.wrappingKeySpec} wrapping key`,
    `Valid until:        ${isoSeconds(input.parametersValidTo)} (after this KMS refuses the token; reissue the parameters in Keyport)`,
    `Expected upload:    EncryptedKeyMaterial.bin, ${describeBlobSize(size)}`,
    "",
    "Files (SHA-256)",
    "---------------",
    ...input.files.map((f) => `${f.sha256}  ${f.name}  (${f.size.toLocaleString("en")} bytes)`),
    "",
    "WrappingPublicKey.bin and ImportToken.bin are binary, exactly as the AWS console names them: do not",
    "base64-decode them. WrappingPublicKey.pem is the same public key in PEM form. The public key and the token",
    "are a pair: use them together, and only for this key.",
    "",
    "On your workstation (openssl)",
    "-----------------------------",
  ];
  custodianCommands(input).forEach((step, i) => {
    lines.push("", `${i + 1}. ${step.title}`);
    if (step.note) lines.push(`   ${step.note}`);
    lines.push(...step.command.split("\n").map((l) => `   ${l}`));
  });
  lines.push("", "In AWS (what Keyport does for you)", "----------------------------------");
  awsCliCommands(input).forEach((step) => {
    lines.push("", `- ${step.title}`);
    if (step.note) lines.push(`  ${step.note}`);
    lines.push(...step.command.split("\n").map((l) => `  ${l}`));
  });
  const verify = verificationCommand(input.keySpec);
  if (verify) {
    lines.push("", "After the import", "----------------", "", `- ${verify.title}`);
    if (verify.note) lines.push(`  ${verify.note}`);
    lines.push(`  ${verify.command}`);
  }
  lines.push("");
  return lines.join("\n");
}
