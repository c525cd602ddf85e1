import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { unzipSync } from "fflate";
import { isKeySpec, type KeySpec } from "@/lib/imports/compat";
import { isHsmAlgorithm, type HsmAlgorithm } from "./mechanisms";
import { refuse } from "./refusal";

/**
 * The CLI's inputs from Keyport: the wrapping public key (WrappingPublicKey.bin, DER, or its PEM) and the
 * algorithm, either given separately or read from the request page's ImportParameters-….zip, whose
 * README.txt (lib/imports/commands.ts, parametersReadme) also names the key spec and Region.
 */

export type WrappingKey = { der: Buffer; key: KeyObject; modulusBits: 2048 | 3072 | 4096; sha256: string };

export function readWrappingKey(bytes: Buffer, source: string): WrappingKey {
  let key: KeyObject;
  try {
    const pem = bytes.subarray(0, 11).toString("latin1") === "-----BEGIN ";
    key = pem ? createPublicKey(bytes.toString("ascii")) : createPublicKey({ key: bytes, format: "der", type: "spki" });
  } catch {
    refuse(`${source} is not a public key (DER SubjectPublicKeyInfo as KMS issues it, or PEM). Give WrappingPublicKey.bin from Keyport's request page.`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== "rsa" || (bits !== 2048 && bits !== 3072 && bits !== 4096)) {
    refuse(`${source} is not an RSA 2048, 3072 or 4096 public key (${key.asymmetricKeyType ?? "unknown"} ${bits ?? ""}): only RSA wrapping keys can be used from PKCS#11.`);
  }
  const der = key.export({ format: "der", type: "spki" });
  return { der, key, modulusBits: bits, sha256: createHash("sha256").update(bytes).digest("hex") };
}

export type Bundle = { wrappingKey: WrappingKey; algorithm: HsmAlgorithm; keySpec: KeySpec | null; region: string | null };

function readmeField(readme: string, name: string): string | null {
  const line = readme.split("\n").find((l) => l.startsWith(`${name}:`));
  return line ? line.slice(name.length + 1).trim() : null;
}

export function readBundle(zip: Buffer, source: string): Bundle {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch {
    refuse(`${source} is not a zip file. Give the ImportParameters-….zip from Keyport's request page, or --wrapping-public-key and --algorithm.`);
  }
  const publicKey = files["WrappingPublicKey.bin"];
  const readme = files["README.txt"] ? Buffer.from(files["README.txt"]).toString("utf8") : null;
  if (!publicKey || !readme) refuse(`${source} has no WrappingPublicKey.bin or README.txt: it is not Keyport's parameters zip.`);
  // "Wrapping:           RSA_AES_KEY_WRAP_SHA_256 with an RSA_4096 wrapping key"
  const algorithm = readmeField(readme, "Wrapping")?.split(" ")[0] ?? "";
  if (!isHsmAlgorithm(algorithm)) {
    refuse(`${source} is for ${algorithm || "an unknown algorithm"}, which has no PKCS#11 mechanism here: only RSAES_OAEP_SHA_1/256 and RSA_AES_KEY_WRAP_SHA_1/256.`);
  }
  const keySpec = readmeField(readme, "Key spec");
  const region = readmeField(readme, "Account / Region")?.split("/")[1]?.trim() ?? null;
  return {
    wrappingKey: readWrappingKey(Buffer.from(publicKey), `WrappingPublicKey.bin in ${source}`),
    algorithm,
    keySpec: isKeySpec(keySpec) ? keySpec : null,
    region,
  };
}
