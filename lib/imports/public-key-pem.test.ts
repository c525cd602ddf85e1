import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { publicKeyPem } from "./workflow";

/** WrappingPublicKey.pem must be the same key as WrappingPublicKey.bin, as openssl writes and reads it. */

const dir = mkdtempSync(path.join(tmpdir(), "keyport-pem-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function opensslPem(der: Buffer): string {
  const file = path.join(dir, "WrappingPublicKey.bin");
  writeFileSync(file, der);
  return execFileSync("openssl", ["pkey", "-pubin", "-inform", "DER", "-in", file, "-outform", "PEM"], { encoding: "utf8" });
}

function opensslDer(pem: string): Buffer {
  const file = path.join(dir, "WrappingPublicKey.pem");
  writeFileSync(file, pem);
  return execFileSync("openssl", ["pkey", "-pubin", "-inform", "PEM", "-in", file, "-outform", "DER"]);
}

const rsaDer = (modulusLength: number) =>
  generateKeyPairSync("rsa", { modulusLength }).publicKey.export({ type: "spki", format: "der" });

describe("publicKeyPem", () => {
  it.each([2048, 3072, 4096])("writes an RSA_%i wrapping key as openssl does, and openssl reads back the same DER", (bits) => {
    const der = rsaDer(bits);
    const pem = publicKeyPem(der);
    expect(pem).toBe(opensslPem(der));
    expect(opensslDer(pem).equals(der)).toBe(true);
  });

  it("writes an SM2 wrapping key (China Regions) too", () => {
    const der = generateKeyPairSync("ec", { namedCurve: "SM2" }).publicKey.export({ type: "spki", format: "der" });
    expect(publicKeyPem(der)).toBe(opensslPem(der));
  });

  it("refuses bytes that are not a public key instead of dressing them up as one", () => {
    expect(() => publicKeyPem(randomBytes(294))).toThrow(/not a DER SubjectPublicKeyInfo/);
    expect(() => publicKeyPem(rsaDer(2048).subarray(0, 200))).toThrow(/not a DER SubjectPublicKeyInfo/);
  });
});
