import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { ImportKeyMaterialCommand } from "@aws-sdk/client-kms";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getParametersForImport, type WrappingAlgorithm, type WrappingKeySpec } from "@/lib/kms/operations";
import { Workdir, openssl, opensslMaterial } from "@/lib/emulator/test-support";
import type { KeySpec } from "../compat";
import { sessionBundle, type BundleRegion } from "./bundle";
import { externalMrk, startHarness, type MultiRegionHarness } from "./testing";
import { verifyAcrossRegions, type RegionKey } from "./verify";

/**
 * The session bundle end to end: parameters the emulator issued for a multi-Region key in two Regions (two
 * wrappings), unzipped, wrap-all.sh run by bash + openssl, each blob imported into its Region with the SDK,
 * and the Regions proven to hold the same material.
 */

const execFileAsync = promisify(execFile);
const EU = "eu-west-1";
const US = "us-east-1";
const WRAPPING = {
  [EU]: { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" },
  [US]: { wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256", wrappingKeySpec: "RSA_3072" },
} as const;
const NOW = new Date("2026-03-02T10:15:30.250Z");

let h: MultiRegionHarness;
let work: Workdir;

beforeAll(async () => {
  h = await startHarness(3751, [EU, US]);
  work = await Workdir.create();
});

afterAll(async () => {
  await h?.close();
  await work?.cleanup();
});

beforeEach(async () => {
  await h.admin.reset();
  await h.admin.setClock(Date.now());
});

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A multi-Region symmetric key in EU and US, each Region with parameters the emulator issued for it. */
async function issuedSession(
  keySpec: KeySpec = "SYMMETRIC_DEFAULT",
  wrappings: Record<string, { wrappingAlgorithm: WrappingAlgorithm; wrappingKeySpec: WrappingKeySpec }> = WRAPPING,
): Promise<{ keyId: string; keys: RegionKey[]; regions: BundleRegion[] }> {
  const { keyId, keys } = await externalMrk(h, keySpec, [EU, US]);
  const regions = await Promise.all(
    keys.map(async (k): Promise<BundleRegion> => {
      const wrapping = wrappings[k.region]!;
      const issued = await getParametersForImport(k.client, { keyArn: k.keyArn, ...wrapping });
      return {
        region: k.region,
        keyArn: k.keyArn,
        keySpec,
        ...wrapping,
        publicKeyDer: issued.publicKey,
        importToken: issued.importToken,
        parametersValidTo: issued.parametersValidTo,
        expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
        validTo: null,
        importType: null,
      };
    }),
  );
  return { keyId, keys, regions };
}

async function unzipTo(zip: Uint8Array, dir: string): Promise<Record<string, Uint8Array>> {
  const files = unzipSync(zip);
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), bytes);
  }
  return files;
}

async function wrapAll(dir: string, ...args: string[]) {
  return execFileAsync("bash", ["wrap-all.sh", ...args], { cwd: dir, encoding: "utf8" });
}

describe("the multi-Region session bundle", () => {
  it("wraps one material for every Region with bash + openssl, and every Region then holds it", async () => {
    const { keyId, keys, regions } = await issuedSession();
    const zip = sessionBundle({ keyId, alias: "alias/keyport/payments-mrk", regions, now: NOW });
    const dir = await work.sub("end-to-end");
    const files = await unzipTo(zip, dir);
    expect(Object.keys(files).sort()).toEqual(
      ["README.txt", "wrap-all.sh", ...[EU, US].flatMap((r) => ["ImportToken.bin", "WrappingPublicKey.bin", "WrappingPublicKey.pem"].map((f) => `${r}/${f}`))].sort(),
    );

    await openssl(["rand", "-out", "material.bin", "32"], dir);
    const { stdout } = await wrapAll(dir);
    const printed = Object.fromEntries([...stdout.matchAll(/^([0-9a-f]{64}) {2}(\S+)$/gm)].map((m) => [m[2], m[1]]));
    expect(Object.keys(printed).sort()).toEqual([`${EU}/EncryptedKeyMaterial.bin`, `${US}/EncryptedKeyMaterial.bin`]);

    const blobs: Record<string, Buffer> = {};
    for (const r of regions) {
      blobs[r.region] = await readFile(join(dir, r.region, "EncryptedKeyMaterial.bin"));
      expect(printed[`${r.region}/EncryptedKeyMaterial.bin`]).toBe(sha256(blobs[r.region]!));
    }
    // OAEP: one RSA_2048 block; AES key wrap: an RSA_3072 block and the 32 bytes wrapped (40).
    expect(blobs[EU]!.length).toBe(256);
    expect(blobs[US]!.length).toBe(384 + 40);
    // No plaintext or transport key left beside the blobs.
    const { stdout: listing } = await execFileAsync("find", [".", "-type", "f"], { cwd: dir });
    expect(listing.split("\n").filter(Boolean).sort()).toEqual(
      ["./README.txt", "./material.bin", "./wrap-all.sh", ...Object.keys(files).filter((n) => n.includes("/")).map((n) => `./${n}`), `./${EU}/EncryptedKeyMaterial.bin`, `./${US}/EncryptedKeyMaterial.bin`].sort(),
    );

    for (const r of regions) {
      const key = keys.find((k) => k.region === r.region)!;
      await key.client.send(
        new ImportKeyMaterialCommand({ KeyId: key.keyArn, ImportToken: r.importToken, EncryptedKeyMaterial: blobs[r.region], ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }),
      );
    }
    const result = await verifyAcrossRegions("SYMMETRIC_DEFAULT", keys);
    expect(result.checks.map((c) => [c.from, c.to, c.ok])).toEqual([
      [EU, US, true],
      [US, EU, true],
    ]);
    expect(result.ok).toBe(true);
  });

  it("wraps an ECC private key (PKCS#8 DER) for every Region, and refuses it as PEM", async () => {
    const wrappings = { [EU]: WRAPPING[US], [US]: { wrappingAlgorithm: "RSAES_OAEP_SHA_1", wrappingKeySpec: "RSA_2048" } } as const;
    const { keyId, keys, regions } = await issuedSession("ECC_NIST_P256", wrappings);
    const dir = await work.sub("ecc");
    await unzipTo(sessionBundle({ keyId, alias: null, regions, now: NOW }), dir);
    await opensslMaterial(dir, "ECC_NIST_P256", "private-key.der");

    const asPem = await wrapAll(dir, "private-key.der.pem").then(() => null, (e: { stderr: string }) => e);
    expect(asPem?.stderr).toContain("private-key.der.pem is not an unencrypted DER private key");

    await wrapAll(dir, "private-key.der");
    for (const r of regions) {
      const key = keys.find((k) => k.region === r.region)!;
      const blob = await readFile(join(dir, r.region, "EncryptedKeyMaterial.bin"));
      await key.client.send(new ImportKeyMaterialCommand({ KeyId: key.keyArn, ImportToken: r.importToken, EncryptedKeyMaterial: blob, ExpirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE" }));
    }
    expect(await verifyAcrossRegions("ECC_NIST_P256", keys)).toMatchObject({ ok: true, method: "public_key", checks: [{ from: EU, to: US, ok: true }] });
  });

  it("lists every file's SHA-256 in the README, with the earliest token expiry named as governing", async () => {
    const { keyId, regions } = await issuedSession();
    // Give the US parameters the earlier expiry, so the governing one is not simply the first listed.
    const earlier = new Date(regions[0]!.parametersValidTo.getTime() - 3_600_000);
    const session = regions.map((r) => (r.region === US ? { ...r, parametersValidTo: earlier } : r));
    const files = unzipSync(sessionBundle({ keyId, alias: null, regions: session, now: NOW }));
    const readme = Buffer.from(files["README.txt"]!).toString("utf8");

    const listed = Object.fromEntries([...readme.matchAll(/^([0-9a-f]{64}) {2}(\S+) {2}\(/gm)].map((m) => [m[2], m[1]]));
    const expected = Object.fromEntries(Object.entries(files).filter(([n]) => n !== "README.txt").map(([n, b]) => [n, sha256(b)]));
    expect(listed).toEqual(expected);
    expect(Object.keys(listed)).toHaveLength(7);

    expect(readme).toContain(`Built:      2026-03-02T10:15:30Z`);
    const iso = earlier.toISOString().replace(/\.\d{3}Z$/, "Z");
    expect(readme).toMatch(new RegExp(`^${US}  ${iso}  <- earliest: governs the session$`, "m"));
    expect(readme.match(/governs the session/g)).toHaveLength(1);
    expect(readme).toContain(`before ${iso}, when ${US}'s token expires`);
    for (const r of session) {
      expect(readme).toContain(`  Key:              ${r.keyArn}`);
      expect(readme).toContain(`  Wrapping:         ${r.wrappingAlgorithm} with an ${r.wrappingKeySpec} wrapping key`);
    }
  });

  it("zips the same input to the same bytes, whatever the server's time zone", async () => {
    const { keyId, regions } = await issuedSession();
    const input = { keyId, alias: "alias/keyport/payments-mrk", regions, now: NOW };
    const zone = process.env.TZ;
    try {
      process.env.TZ = "UTC";
      const first = sessionBundle(input);
      process.env.TZ = "Pacific/Auckland";
      const second = sessionBundle(input);
      expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
      expect(Buffer.from(sessionBundle({ ...input, now: new Date(NOW.getTime() + 60_000) })).equals(Buffer.from(first))).toBe(false);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it("wrap-all.sh refuses a public key that is not the one issued, and material of the wrong size", async () => {
    const { keyId, regions } = await issuedSession();
    const zip = sessionBundle({ keyId, alias: null, regions, now: NOW });

    const swapped = await work.sub("swapped");
    await unzipTo(zip, swapped);
    await openssl(["rand", "-out", "material.bin", "32"], swapped);
    // The US folder gets the EU public key: wrapping with it would make a blob US cannot unwrap.
    await writeFile(join(swapped, US, "WrappingPublicKey.bin"), regions[0]!.publicKeyDer);
    const refused = await wrapAll(swapped).then(() => null, (e: { stderr: string }) => e);
    expect(refused?.stderr).toMatch(new RegExp(`${US}/WrappingPublicKey.bin is not the file Keyport issued`));
    await expect(readFile(join(swapped, US, "EncryptedKeyMaterial.bin"))).rejects.toThrow(/ENOENT/);

    const short = await work.sub("short");
    await unzipTo(zip, short);
    await openssl(["rand", "-out", "key.bin", "16"], short);
    const tooShort = await wrapAll(short, "key.bin").then(() => null, (e: { stderr: string }) => e);
    expect(tooShort?.stderr).toContain("key.bin is 16 bytes; SYMMETRIC_DEFAULT key material is exactly 32 bytes.");
  });

  it("refuses input that would make an unsafe path or pair a Region with another's parameters", async () => {
    const { keyId, regions } = await issuedSession();
    const eu = regions[0]!;
    const build = (patch: Partial<BundleRegion>, id = keyId) => () => sessionBundle({ keyId: id, alias: null, regions: [{ ...eu, ...patch }], now: NOW });
    expect(build({ region: "../eu-west-1" })).toThrow(/Unknown Region/);
    expect(build({ region: "eu-west-1/x" })).toThrow(/Unknown Region/);
    expect(build({ region: US })).toThrow(`${eu.keyArn} is not key ${keyId} in ${US}`);
    expect(build({}, "1234abcd-12ab-34cd-56ef-1234567890ab")).toThrow(/not a multi-Region key id/);
    expect(build({ wrappingAlgorithm: "RSAES_PKCS1_V1_5" })).toThrow(/10 October 2023/);
    expect(build({ publicKeyDer: Buffer.from("not a key") })).toThrow();
    expect(() => sessionBundle({ keyId, alias: null, regions: [eu, eu], now: NOW })).toThrow(/listed twice/);
    expect(() => sessionBundle({ keyId, alias: "alias/x\nrm -rf", regions, now: NOW })).toThrow(/alias/);
  });
});
