import { createHash, randomBytes } from "node:crypto";
import { DecryptCommand, EncryptCommand, GenerateMacCommand, GetPublicKeyCommand, VerifyMacCommand, type KMSClient } from "@aws-sdk/client-kms";
import { isAwsFailure, noteCall, toKmsError } from "@/lib/kms/errors";
import { KCV_MESSAGE, macAlgorithmFor } from "../commands";
import { familyOf, type KeySpec } from "../compat";
import { regionSchema } from "../schemas";

/**
 * Proof that the Regions of a multi-Region key hold the same key material. KMS never copies imported
 * material between Regions, so each Region imported its own; only the same bytes make the keys
 * interoperable (lib/emulator/README.md, "Multi-Region keys"). The checks use the material the way a
 * caller would: ciphertext from one Region decrypted in another, MACs compared, public keys compared.
 *
 * A KMS refusal fails the check it belongs to, in AWS KMS's terms (lib/kms/errors.ts); only Keyport's own
 * failures (a bug, bad input) throw.
 */

export type RegionKey = { region: string; keyArn: string; client: KMSClient };
export type CrossRegionCheck = { from: string; to: string; ok: boolean; detail?: string };
export type CrossRegionResult = { ok: boolean; method: "encrypt_decrypt" | "mac" | "public_key"; checks: CrossRegionCheck[] };

/** Names the purpose of the probe ciphertexts, so they cannot be mistaken for (or replayed as) application data. */
export const CROSS_REGION_CONTEXT_KEY = "keyport:purpose";
export const CROSS_REGION_CONTEXT_VALUE = "multi-region-material-check";

/**
 * Compares every Region's material. The first Region is the reference for MACs and public keys (pass the
 * primary first): a Region that differs fails its own check, and a reference that differs fails all.
 * Symmetric keys are checked pairwise instead: n Encrypts and n·(n−1) Decrypts, one check per ordered pair.
 */
export async function verifyAcrossRegions(keySpec: KeySpec, regions: RegionKey[]): Promise<CrossRegionResult> {
  if (regions.length < 2) throw new Error("A cross-Region check needs at least two Regions.");
  const seen = new Set<string>();
  for (const r of regions) {
    regionSchema.parse(r.region);
    if (seen.has(r.region)) throw new Error(`Region ${r.region} is listed twice.`);
    seen.add(r.region);
  }
  const family = familyOf(keySpec);
  const checks =
    family === "SYMMETRIC" ? await encryptDecrypt(regions) : family === "HMAC" ? await macs(keySpec, regions) : await publicKeys(regions);
  return { ok: checks.every((c) => c.ok), method: family === "SYMMETRIC" ? "encrypt_decrypt" : family === "HMAC" ? "mac" : "public_key", checks };
}

type Outcome<T> = { ok: true; value: T } | { ok: false; detail: string };

/** Runs one KMS call; a KMS (or network) refusal becomes its detail, in AWS KMS's terms. Anything else throws. */
async function attempt<T>(operation: string, region: string, work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (!isAwsFailure(error)) throw error;
    // Clients from KmsAccess record the operation themselves; a bare client does not, and toKmsError words
    // some exceptions by operation (InvalidCiphertextException means another thing for an import).
    noteCall(error, { operation });
    const e = toKmsError(error);
    return { ok: false, detail: `${region}: ${operation} failed with ${e.details.awsName ?? e.code}: ${e.message}` };
  }
}

async function encryptDecrypt(regions: RegionKey[]): Promise<CrossRegionCheck[]> {
  const sealed = await Promise.all(
    regions.map(async (from) => {
      const probe = randomBytes(32);
      const context = { [CROSS_REGION_CONTEXT_KEY]: CROSS_REGION_CONTEXT_VALUE, "keyport:from-region": from.region };
      const out = await attempt("Encrypt", from.region, () => from.client.send(new EncryptCommand({ KeyId: from.keyArn, Plaintext: probe, EncryptionContext: context })));
      return { from, probe, context, out };
    }),
  );
  const pairs = sealed.flatMap((s) => regions.filter((to) => to.region !== s.from.region).map((to) => ({ ...s, to })));
  return Promise.all(
    pairs.map(async ({ from, to, probe, context, out }): Promise<CrossRegionCheck> => {
      const pair = { from: from.region, to: to.region };
      if (!out.ok) return { ...pair, ok: false, detail: out.detail };
      const ciphertext = out.value.CiphertextBlob;
      if (!ciphertext) return { ...pair, ok: false, detail: `${from.region}: Encrypt returned no ciphertext.` };
      const opened = await attempt("Decrypt", to.region, () => to.client.send(new DecryptCommand({ KeyId: to.keyArn, CiphertextBlob: ciphertext, EncryptionContext: context })));
      if (!opened.ok) return { ...pair, ok: false, detail: opened.detail };
      const plaintext = opened.value.Plaintext;
      if (!plaintext || !Buffer.from(plaintext).equals(probe)) {
        return { ...pair, ok: false, detail: `${to.region} decrypted ${from.region}'s ciphertext to other bytes than ${from.region} encrypted.` };
      }
      return { ...pair, ok: true };
    }),
  );
}

async function macs(keySpec: KeySpec, regions: RegionKey[]): Promise<CrossRegionCheck[]> {
  const macAlgorithm = macAlgorithmFor(keySpec);
  if (!macAlgorithm) throw new Error(`${keySpec} is not an HMAC key spec.`);
  const message = Buffer.from(KCV_MESSAGE, "ascii");
  const generated = await Promise.all(
    regions.map((r) => attempt("GenerateMac", r.region, () => r.client.send(new GenerateMacCommand({ KeyId: r.keyArn, Message: message, MacAlgorithm: macAlgorithm })))),
  );
  const [reference, ...others] = regions as [RegionKey, ...RegionKey[]];
  const referenceMac = generated[0]!;
  return Promise.all(
    others.map(async (to, i): Promise<CrossRegionCheck> => {
      const pair = { from: reference.region, to: to.region };
      if (!referenceMac.ok) return { ...pair, ok: false, detail: referenceMac.detail };
      const own = generated[i + 1]!;
      if (!own.ok) return { ...pair, ok: false, detail: own.detail };
      const expected = Buffer.from(referenceMac.value.Mac ?? []);
      // VerifyMac in this Region of the reference's MAC: KMS's own comparison, beside ours.
      const verified = await attempt("VerifyMac", to.region, () =>
        to.client.send(new VerifyMacCommand({ KeyId: to.keyArn, Message: message, MacAlgorithm: macAlgorithm, Mac: expected })),
      );
      if (!verified.ok) return { ...pair, ok: false, detail: verified.detail };
      const mac = Buffer.from(own.value.Mac ?? []);
      if (verified.value.MacValid !== true || expected.length === 0 || !mac.equals(expected)) {
        return { ...pair, ok: false, detail: `${to.region}'s key check value ${mac.toString("hex")} differs from ${reference.region}'s ${expected.toString("hex")}.` };
      }
      return { ...pair, ok: true };
    }),
  );
}

async function publicKeys(regions: RegionKey[]): Promise<CrossRegionCheck[]> {
  const fingerprints = await Promise.all(
    regions.map(async (r): Promise<Outcome<string>> => {
      const out = await attempt("GetPublicKey", r.region, () => r.client.send(new GetPublicKeyCommand({ KeyId: r.keyArn })));
      if (!out.ok) return out;
      if (!out.value.PublicKey) return { ok: false, detail: `${r.region}: GetPublicKey returned no public key.` };
      return { ok: true, value: createHash("sha256").update(out.value.PublicKey).digest("hex") };
    }),
  );
  const [reference, ...others] = regions as [RegionKey, ...RegionKey[]];
  const expected = fingerprints[0]!;
  return others.map((to, i): CrossRegionCheck => {
    const pair = { from: reference.region, to: to.region };
    const own = fingerprints[i + 1]!;
    if (!expected.ok) return { ...pair, ok: false, detail: expected.detail };
    if (!own.ok) return { ...pair, ok: false, detail: own.detail };
    if (own.value !== expected.value) {
      return { ...pair, ok: false, detail: `${to.region}'s public key (SHA-256 ${own.value}) differs from ${reference.region}'s (${expected.value}).` };
    }
    return { ...pair, ok: true };
  });
}
