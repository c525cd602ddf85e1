import { createHash, createPublicKey } from "node:crypto";
import { zipSync, type ZipAttributes } from "fflate";
import { awsCliCommands, materialStep, verificationCommand } from "../commands";
import { checkWrapping, describeBlobSize, expectedBlobSize, type KeySpec, type WrappingAlgorithm, type WrappingKeySpec } from "../compat";
import { keyIdSchema, regionSchema } from "../schemas";
import { zipStamp } from "../zip-stamp";
import { wrapAllScript } from "./wrap-script";

/**
 * One zip for a multi-Region import session: each Region's current import parameters in a folder named
 * after the Region (`<region>/WrappingPublicKey.bin`, `.pem`, `ImportToken.bin`), a README.txt and
 * wrap-all.sh, which wraps one material for every Region. KMS never copies imported material, so every
 * Region has its own public key and token and imports the same material separately
 * (lib/emulator/README.md, "Multi-Region keys").
 *
 * Deterministic: the same input zips to the same bytes (entries in input order, stamped with `now` through
 * `zipStamp`), so the SHA-256 a page shows matches the file saved, on any server. Pure (no server-only).
 */

export type BundleRegion = {
  region: string;
  keyArn: string;
  keySpec: KeySpec;
  wrappingAlgorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  publicKeyDer: Uint8Array;
  importToken: Uint8Array;
  parametersValidTo: Date;
  expirationModel: string | null;
  validTo: Date | null;
  importType: string | null;
};

export type SessionBundleInput = { keyId: string; alias: string | null; regions: BundleRegion[]; now: Date };

const ALIAS = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");
const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Refuses input that would put an unsafe path in the zip or pair a Region with another's parameters:
 * Regions must be Region names (they become folder names and shell words), once each; each key ARN must be
 * the session's key in that Region; all Regions share the key spec; each wrapping must fit (compat.ts).
 */
function validate(input: SessionBundleInput): KeySpec {
  const keyId = keyIdSchema.parse(input.keyId);
  if (!keyId.startsWith("mrk-")) throw new Error(`${keyId} is not a multi-Region key id (mrk-…).`);
  if (input.alias !== null && !ALIAS.test(input.alias)) throw new Error("The alias is not a KMS alias name (alias/…).");
  const first = input.regions[0];
  if (!first) throw new Error("A session bundle needs at least one Region.");
  const seen = new Set<string>();
  for (const r of input.regions) {
    const region = regionSchema.parse(r.region);
    if (seen.has(region)) throw new Error(`Region ${region} is listed twice.`);
    seen.add(region);
    if (!new RegExp(`^arn:aws(-[a-z-]+)?:kms:${region}:\\d{12}:key/${keyId}$`).test(r.keyArn)) {
      throw new Error(`${r.keyArn} is not key ${keyId} in ${region}.`);
    }
    if (r.keySpec !== first.keySpec) throw new Error(`${region} has key spec ${r.keySpec}, ${first.region} ${first.keySpec}: related keys share one.`);
    const fits = checkWrapping(r.keySpec, region, r.wrappingAlgorithm, r.wrappingKeySpec);
    if (!fits.ok) throw new Error(`${region}: ${fits.reason}`);
    if (r.importToken.length === 0) throw new Error(`${region}: the import token is empty.`);
  }
  return first.keySpec;
}

type Entry = { name: string; bytes: Uint8Array };

function regionFiles(r: BundleRegion): Entry[] {
  // Also proves the public key is a DER SubjectPublicKeyInfo before anyone wraps with it.
  const pem = createPublicKey({ key: Buffer.from(r.publicKeyDer), format: "der", type: "spki" }).export({ type: "spki", format: "pem" }).toString();
  return [
    { name: `${r.region}/WrappingPublicKey.bin`, bytes: r.publicKeyDer },
    { name: `${r.region}/WrappingPublicKey.pem`, bytes: Buffer.from(pem, "ascii") },
    { name: `${r.region}/ImportToken.bin`, bytes: r.importToken },
  ];
}

function readme(input: SessionBundleInput, keySpec: KeySpec, files: Entry[]): string {
  const regions = input.regions;
  const governing = regions.reduce((a, b) => (b.parametersValidTo.getTime() < a.parametersValidTo.getTime() ? b : a));
  const width = Math.max(...regions.map((r) => r.region.length));
  const material = materialStep(keySpec, regions[0]!.region);
  const lines = [
    "Keyport multi-Region import session",
    "===================================",
    "",
    `Key:        ${input.keyId}${input.alias ? ` (${input.alias})` : ""}`,
    `Key spec:   ${keySpec}`,
    `Regions:    ${regions.map((r) => r.region).join(", ")}`,
    `Built:      ${iso(input.now)}`,
    "",
    "A multi-Region key has the same key id in every Region, but AWS KMS never copies imported key material",
    "between them: each Region took its own import parameters (its own wrapping public key and import token)",
    "and imports the SAME material on its own. Wrap that one material once per Region, with that Region's",
    "public key; a blob wrapped for one Region cannot be imported into another. Ciphertext, MACs and signatures",
    "of one Region hold in another only if both hold the same material. The session is approved once and",
    "imports into every Region together.",
    "",
    "Parameters valid until (UTC)",
    "----------------------------",
    ...regions.map((r) => `${r.region.padEnd(width)}  ${iso(r.parametersValidTo)}${r === governing ? "  <- earliest: governs the session" : ""}`),
    "",
    `Wrap and upload every Region's blob before ${iso(governing.parametersValidTo)}, when ${governing.region}'s token expires;`,
    "after that KMS refuses it, and the session's parameters must be issued again (and the material wrapped again).",
    "",
    "Per Region",
    "----------",
  ];
  for (const r of regions) {
    const size = expectedBlobSize(keySpec, r.region, r.wrappingAlgorithm, r.wrappingKeySpec);
    lines.push(
      "",
      r.region,
      `  Key:              ${r.keyArn}`,
      `  Wrapping:         ${r.wrappingAlgorithm} with an ${r.wrappingKeySpec} wrapping key`,
      `  Valid until:      ${iso(r.parametersValidTo)}`,
      `  Expected upload:  ${r.region}/EncryptedKeyMaterial.bin, ${describeBlobSize(size)}`,
    );
  }
  lines.push(
    "",
    "Files (SHA-256)",
    "---------------",
    ...files.map((f) => `${sha256(f.bytes)}  ${f.name}  (${f.bytes.length.toLocaleString("en")} bytes)`),
    "",
    "The .bin files are binary, exactly as the AWS console names them: do not base64-decode them. Each",
    "WrappingPublicKey.pem is its Region's public key in PEM form. A Region's public key and token are a pair:",
    "use them together, and only for that Region's key.",
    "",
    "On your workstation (bash, openssl, xxd)",
    "----------------------------------------",
    "",
    "1. Check the files against the SHA-256 values Keyport shows for this session",
    "   sha256sum */WrappingPublicKey.bin */ImportToken.bin wrap-all.sh",
    "",
    `2. ${material.title}`,
    ...(material.note ? [`   ${material.note}`] : []),
    `   ${material.command}`,
    "",
    "3. Wrap it for every Region: each Region's folder gets its own EncryptedKeyMaterial.bin",
    "   wrap-all.sh first refuses a public key or token whose SHA-256 differs from this README's, then runs",
    "   the same openssl commands as a single-key import, per Region, and checks each blob's size.",
    "   bash wrap-all.sh material.bin",
    "",
    "4. Destroy the plaintext, then upload each <Region>/EncryptedKeyMaterial.bin to that Region in the session",
    "   shred -u material.bin",
    "",
    "In AWS (what Keyport does for you once the session is approved)",
    "---------------------------------------------------------------",
  );
  for (const r of regions) {
    const step = awsCliCommands({ ...r, keySpec }).find((s) => s.id === "import")!;
    lines.push("", `- ${r.region} (in the ${r.region} folder)`, ...step.command.split("\n").map((l) => `  ${l}`));
  }
  const verify = verificationCommand(keySpec);
  lines.push(
    "",
    "After the imports",
    "-----------------",
    "",
    "- Keyport checks that the Regions hold the same material: ciphertext of each Region decrypted in every",
    "  other, or each Region's MAC or public key against the first Region's.",
  );
  if (verify) lines.push(`- ${verify.title}`, ...(verify.note ? [`  ${verify.note}`] : []), `  ${verify.command}`);
  lines.push("");
  return lines.join("\n");
}

export function sessionBundle(input: SessionBundleInput): Uint8Array {
  const keySpec = validate(input);
  const regionEntries = input.regions.flatMap(regionFiles);
  const script = wrapAllScript({
    keyId: input.keyId,
    keySpec,
    regions: input.regions.map((r) => ({
      region: r.region,
      wrappingAlgorithm: r.wrappingAlgorithm,
      wrappingKeySpec: r.wrappingKeySpec,
      publicKeySha256: sha256(r.publicKeyDer),
      importTokenSha256: sha256(r.importToken),
    })),
  });
  const scriptEntry = { name: "wrap-all.sh", bytes: Buffer.from(script, "utf8") };
  const text = readme(input, keySpec, [...regionEntries, scriptEntry]);
  // Unix modes, so `unzip` leaves wrap-all.sh executable; the stamp makes the zip the same bytes every time.
  const attributes = (mode: number): ZipAttributes & { mtime: Date } => ({ mtime: zipStamp(input.now), os: 3, attrs: mode * 0x10000 });
  return zipSync(
    {
      "README.txt": [Buffer.from(text, "utf8"), attributes(0o100644)],
      "wrap-all.sh": [scriptEntry.bytes, attributes(0o100755)],
      ...Object.fromEntries(regionEntries.map((e) => [e.name, [e.bytes, attributes(0o100644)] as const])),
    },
    { level: 6 },
  );
}
