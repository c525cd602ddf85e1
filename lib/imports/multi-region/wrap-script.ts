import { wrapStep } from "../commands";
import { describeBlobSize, expectedBlobSize, familyOf, materialSize, type KeySpec, type WrappingAlgorithm, type WrappingKeySpec } from "../compat";

/**
 * wrap-all.sh of a multi-Region import session: wraps ONE key material once per Region, each time with
 * that Region's own wrapping public key and algorithm, with the same openssl lines the single-key commands
 * print (`wrapStep` in commands.ts, given each Region's paths). Before wrapping it checks each Region's
 * public key and token against the SHA-256 Keyport issued, and after, each blob's size against what the
 * wrapping produces, so a file from another Region or a mangled material fails here rather than in KMS.
 *
 * Pure (no server-only). Regions and hashes are validated by the caller (bundle.ts); nothing else from the
 * input reaches the script.
 */

export type ScriptRegion = {
  region: string;
  wrappingAlgorithm: WrappingAlgorithm;
  wrappingKeySpec: WrappingKeySpec;
  publicKeySha256: string;
  importTokenSha256: string;
};

const PRELUDE = `set -euo pipefail
umask 077

for tool in openssl xxd sha256sum shred; do
  command -v "$tool" > /dev/null || { echo "wrap-all.sh needs $tool." >&2; exit 1; }
done

here="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
material="\${1:-material.bin}"
if [ ! -f "$material" ]; then
  echo "No key material at $material: write it there (README.txt, step 2) or pass its path." >&2
  exit 1
fi

work="$(mktemp -d)"
# The AES transport keys and intermediate files never outlive a Region, nor the script.
scrub() { find "$work" -type f -exec shred -u {} +; }
trap 'scrub; rm -rf "$work"' EXIT

issued() { # <expected SHA-256> <file>: only the files Keyport issued for this session are used
  local got
  got="$(sha256sum < "$2" | cut -d' ' -f1)"
  if [ "$got" != "$1" ]; then
    echo "$2 is not the file Keyport issued (SHA-256 $got, expected $1). Download the session's bundle again." >&2
    exit 1
  fi
}

blob_size() { # <file> <min> <max> <RSA block length, or 0> <description>: the size KMS expects for this wrapping
  local size
  size=$(($(wc -c < "$1")))
  if [ "$size" -lt "$2" ] || [ "$size" -gt "$3" ] || { [ "$4" -gt 0 ] && [ $(((size - $4) % 8)) -ne 0 ]; }; then
    echo "$1 is $size bytes; with its wrapping it must be $5. Check the material and run the script again." >&2
    exit 1
  fi
}`;

/** Refuses material of the wrong size (or, for RSA and ECC keys, not a DER private key) before any wrapping. */
function materialCheck(keySpec: KeySpec, region: string): string {
  const size = materialSize(keySpec, region);
  const lines: string[] = [];
  // First, as a PEM file (the usual mistake) would otherwise be refused for its size alone.
  if (familyOf(keySpec) === "RSA" || familyOf(keySpec) === "ECC") {
    lines.push(
      'if ! openssl pkey -inform DER -in "$material" -noout 2> /dev/null; then',
      '  echo "$material is not an unencrypted DER private key; convert it as README.txt, step 2, says." >&2',
      "  exit 1",
      "fi",
    );
  }
  lines.push("size=$(($(wc -c < \"$material\")))");
  if (size.kind === "exact") {
    lines.push(
      `if [ "$size" -ne ${size.bytes} ]; then`,
      `  echo "$material is $size bytes; ${keySpec} key material is exactly ${size.bytes} bytes." >&2`,
      "  exit 1",
      "fi",
    );
  } else {
    lines.push(
      `if [ "$size" -lt ${size.min} ] || [ "$size" -gt ${size.max} ]; then`,
      `  echo "$material is $size bytes; an ${keySpec} private key in unencrypted PKCS#8 DER is between ${size.min} and ${size.max} bytes (README.txt, step 2)." >&2`,
      "  exit 1",
      "fi",
    );
  }
  return lines.join("\n");
}

function regionBlock(keySpec: KeySpec, r: ScriptRegion): string {
  const files = {
    material: '"$material"',
    publicKeyDer: '"$dir/WrappingPublicKey.bin"',
    publicKeyPem: '"$dir/WrappingPublicKey.pem"',
    out: '"$dir/EncryptedKeyMaterial.bin"',
    scratch: (name: string) => `"$work/${name}"`,
  };
  const size = expectedBlobSize(keySpec, r.region, r.wrappingAlgorithm, r.wrappingKeySpec);
  const [min, max, block] = size.kind === "exact" ? [size.bytes, size.bytes, 0] : [size.min, size.max, size.multipleOf8After ?? 0];
  return [
    `# ${r.region}: ${r.wrappingAlgorithm} with an ${r.wrappingKeySpec} wrapping key`,
    `dir="$here/${r.region}"`,
    `issued ${r.publicKeySha256} "$dir/WrappingPublicKey.bin"`,
    `issued ${r.importTokenSha256} "$dir/ImportToken.bin"`,
    wrapStep({ wrappingAlgorithm: r.wrappingAlgorithm }, files).command,
    `blob_size "$dir/EncryptedKeyMaterial.bin" ${min} ${max} ${block} "${describeBlobSize(size)}"`,
    "scrub",
    `echo "$(sha256sum < "$dir/EncryptedKeyMaterial.bin" | cut -d' ' -f1)  ${r.region}/EncryptedKeyMaterial.bin"`,
  ].join("\n");
}

export function wrapAllScript(input: { keyId: string; keySpec: KeySpec; regions: ScriptRegion[] }): string {
  const first = input.regions[0];
  if (!first) throw new Error("A session bundle needs at least one Region.");
  return [
    "#!/usr/bin/env bash",
    `# Keyport multi-Region import session for ${input.keyId} (${input.keySpec}), Regions: ${input.regions.map((r) => r.region).join(", ")}.`,
    "# Wraps ONE key material for every Region, each with that Region's own wrapping public key: KMS never",
    "# copies imported material between Regions, so each imports its own copy (README.txt says more).",
    "# Usage: bash wrap-all.sh [material file, default material.bin]. Prints the SHA-256 of each Region's blob.",
    PRELUDE,
    "",
    materialCheck(input.keySpec, first.region),
    "",
    "echo \"SHA-256 of the wrapped key material, per Region (compare with what Keyport shows after each upload):\"",
    ...input.regions.map((r) => `\n${regionBlock(input.keySpec, r)}`),
    "",
    'echo "Upload each <Region>/EncryptedKeyMaterial.bin to that Region in the session, then destroy the plaintext: shred -u $material"',
    "",
  ].join("\n");
}
