import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { importWithNode } from "@/lib/emulator/test-support";
import { externalMrk, startHarness, type MultiRegionHarness } from "./testing";
import { verifyAcrossRegions, type CrossRegionCheck, type RegionKey } from "./verify";

/**
 * verifyAcrossRegions against the emulator over HTTP with the real SDK: multi-Region keys whose Regions
 * imported the same material, or not.
 */

const EU = "eu-west-1";
const US = "us-east-1";
const DE = "eu-central-1";

let h: MultiRegionHarness;

beforeAll(async () => {
  h = await startHarness(3750, [EU, US, DE]);
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await h.admin.reset();
  await h.admin.setClock(Date.now());
});

const key = (keys: RegionKey[], region: string) => keys.find((k) => k.region === region)!;
const pairsOf = (checks: CrossRegionCheck[]) => checks.map((c) => `${c.from}>${c.to}:${c.ok}`).sort();

/** The client, recording the name of every command sent through it. */
function counting(client: KMSClient, calls: string[]): KMSClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== "send") return Reflect.get(target, prop, receiver);
      return (command: { constructor: { name: string } }, ...rest: unknown[]) => {
        calls.push(command.constructor.name);
        return (target.send as (...args: unknown[]) => unknown).call(target, command, ...rest);
      };
    },
  });
}

function eccPrivateKey(): Buffer {
  return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "der", type: "pkcs8" });
}

describe("symmetric keys: ciphertext of each Region decrypted in every other", () => {
  it("passes for two Regions holding the same material, one check per ordered pair", async () => {
    const material = randomBytes(32);
    const { keys } = await externalMrk(h, "SYMMETRIC_DEFAULT", [EU, US]);
    for (const k of keys) await importWithNode(k.client, k.keyArn, material);

    const result = await verifyAcrossRegions("SYMMETRIC_DEFAULT", keys);
    expect(result.method).toBe("encrypt_decrypt");
    expect(pairsOf(result.checks)).toEqual([`${EU}>${US}:true`, `${US}>${EU}:true`]);
    expect(result.ok).toBe(true);
  });

  it("passes for three Regions with the same material, and fails only the pairs involving a replica given other material", async () => {
    const material = randomBytes(32);
    const { keys } = await externalMrk(h, "SYMMETRIC_DEFAULT", [EU, US, DE]);
    for (const k of keys) await importWithNode(k.client, k.keyArn, material);
    const calls: string[] = [];
    const same = await verifyAcrossRegions("SYMMETRIC_DEFAULT", keys.map((k) => ({ ...k, client: counting(k.client, calls) })));
    expect(same.ok).toBe(true);
    expect(same.checks).toHaveLength(6);
    // Bounded: one Encrypt per Region, one Decrypt per ordered pair.
    expect(calls.filter((c) => c === "EncryptCommand")).toHaveLength(3);
    expect(calls.filter((c) => c === "DecryptCommand")).toHaveLength(6);
    expect(calls).toHaveLength(9);

    const other = await externalMrk(h, "SYMMETRIC_DEFAULT", [EU, US, DE]);
    await importWithNode(key(other.keys, EU).client, key(other.keys, EU).keyArn, material);
    await importWithNode(key(other.keys, US).client, key(other.keys, US).keyArn, material);
    await importWithNode(key(other.keys, DE).client, key(other.keys, DE).keyArn, randomBytes(32));

    const result = await verifyAcrossRegions("SYMMETRIC_DEFAULT", other.keys);
    expect(result.ok).toBe(false);
    expect(pairsOf(result.checks)).toEqual(
      [`${EU}>${US}:true`, `${US}>${EU}:true`, `${EU}>${DE}:false`, `${DE}>${EU}:false`, `${US}>${DE}:false`, `${DE}>${US}:false`].sort(),
    );
    for (const check of result.checks.filter((c) => !c.ok)) {
      expect(check.detail).toContain("InvalidCiphertextException");
      // Worded for a Decrypt, not for an import (the same exception name means both).
      expect(check.detail).toContain("could not decrypt the ciphertext");
      expect(check.detail).toMatch(new RegExp(`^${check.to}: Decrypt failed`));
    }
  });

  it("fails, without throwing, the pairs of a Region still waiting for its import", async () => {
    const material = randomBytes(32);
    const { keys } = await externalMrk(h, "SYMMETRIC_DEFAULT", [EU, US, DE]);
    await importWithNode(key(keys, EU).client, key(keys, EU).keyArn, material);
    await importWithNode(key(keys, US).client, key(keys, US).keyArn, material);

    const result = await verifyAcrossRegions("SYMMETRIC_DEFAULT", keys);
    expect(result.ok).toBe(false);
    const failed = result.checks.filter((c) => !c.ok);
    expect(failed).toHaveLength(4);
    expect(failed.every((c) => c.from === DE || c.to === DE)).toBe(true);
    for (const check of failed) expect(check.detail).toMatch(/KMSInvalidStateException: .*pending import/);
  });

  it("refuses a list that cannot be compared", async () => {
    const { keys } = await externalMrk(h, "SYMMETRIC_DEFAULT", [EU]);
    await expect(verifyAcrossRegions("SYMMETRIC_DEFAULT", keys)).rejects.toThrow(/at least two/);
    await expect(verifyAcrossRegions("SYMMETRIC_DEFAULT", [keys[0]!, keys[0]!])).rejects.toThrow(/twice/);
  });
});

describe("HMAC keys: each Region's key check value against the first Region's", () => {
  it("passes with the same material and fails the Region with other material (MAC and VerifyMac)", async () => {
    const material = randomBytes(32);
    const { keys } = await externalMrk(h, "HMAC_256", [EU, US, DE]);
    await importWithNode(key(keys, EU).client, key(keys, EU).keyArn, material);
    await importWithNode(key(keys, US).client, key(keys, US).keyArn, material);
    await importWithNode(key(keys, DE).client, key(keys, DE).keyArn, material);
    const same = await verifyAcrossRegions("HMAC_256", keys);
    expect(same).toMatchObject({ ok: true, method: "mac" });
    expect(pairsOf(same.checks)).toEqual([`${EU}>${DE}:true`, `${EU}>${US}:true`]);

    const other = await externalMrk(h, "HMAC_256", [EU, US, DE]);
    await importWithNode(key(other.keys, EU).client, key(other.keys, EU).keyArn, material);
    await importWithNode(key(other.keys, US).client, key(other.keys, US).keyArn, material);
    await importWithNode(key(other.keys, DE).client, key(other.keys, DE).keyArn, randomBytes(32));
    const result = await verifyAcrossRegions("HMAC_256", other.keys);
    expect(result.ok).toBe(false);
    expect(pairsOf(result.checks)).toEqual([`${EU}>${DE}:false`, `${EU}>${US}:true`]);
    expect(result.checks.find((c) => c.to === DE)!.detail).toContain("KMSInvalidMacException");
  });
});

describe("asymmetric keys: each Region's public key against the first Region's", () => {
  it("passes when every Region imported the same private key and fails a Region given another", async () => {
    const privateKey = eccPrivateKey();
    const { keys } = await externalMrk(h, "ECC_NIST_P256", [EU, US]);
    for (const k of keys) await importWithNode(k.client, k.keyArn, privateKey);
    const same = await verifyAcrossRegions("ECC_NIST_P256", keys);
    expect(same).toMatchObject({ ok: true, method: "public_key", checks: [{ from: EU, to: US, ok: true }] });

    const other = await externalMrk(h, "ECC_NIST_P256", [EU, US, DE]);
    await importWithNode(key(other.keys, EU).client, key(other.keys, EU).keyArn, privateKey);
    await importWithNode(key(other.keys, US).client, key(other.keys, US).keyArn, eccPrivateKey());
    await importWithNode(key(other.keys, DE).client, key(other.keys, DE).keyArn, privateKey);
    const result = await verifyAcrossRegions("ECC_NIST_P256", other.keys);
    expect(result.ok).toBe(false);
    expect(pairsOf(result.checks)).toEqual([`${EU}>${DE}:true`, `${EU}>${US}:false`]);
    expect(result.checks.find((c) => c.to === US)!.detail).toMatch(/differs from eu-west-1's/);
  });
});
