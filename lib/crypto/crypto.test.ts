import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretOpenError, openSecret, sealSecret, secretAad, sha256Hex } from "./index";

const key = randomBytes(32);
const aad = secretAad("parameter_set.import_token", "3f1e0d2c-0000-4000-8000-000000000001");
const plaintext = Buffer.from("import token bytes \u00e9\u0000\u00ff", "utf8");

describe("sealSecret / openSecret", () => {
  it("round-trips and uses a fresh nonce each time", () => {
    const a = sealSecret(plaintext, key, aad);
    const b = sealSecret(plaintext, key, aad);
    expect(a.equals(b)).toBe(false);
    expect(a.length).toBe(1 + 12 + plaintext.length + 16);
    expect(a[0]).toBe(1);
    expect(openSecret(a, key, aad).equals(plaintext)).toBe(true);
    expect(openSecret(b, key, aad).equals(plaintext)).toBe(true);
  });

  it("round-trips empty and large plaintexts", () => {
    expect(openSecret(sealSecret(Buffer.alloc(0), key, aad), key, aad).length).toBe(0);
    const big = randomBytes(1 << 20);
    expect(openSecret(sealSecret(big, key, aad), key, aad).equals(big)).toBe(true);
  });

  it("does not contain the plaintext", () => {
    const known = Buffer.from("KNOWN-PLAINTEXT-MARKER-0123456789");
    expect(sealSecret(known, key, aad).includes(known)).toBe(false);
  });

  it("refuses the wrong key", () => {
    const sealed = sealSecret(plaintext, key, aad);
    expect(() => openSecret(sealed, randomBytes(32), aad)).toThrow(SecretOpenError);
  });

  it("refuses the wrong AAD (secret moved to another row or purpose)", () => {
    const sealed = sealSecret(plaintext, key, aad);
    expect(() => openSecret(sealed, key, secretAad("parameter_set.import_token", "another-id"))).toThrow(SecretOpenError);
    expect(() => openSecret(sealed, key, secretAad("wrapped_blob.ciphertext", "3f1e0d2c-0000-4000-8000-000000000001"))).toThrow(
      SecretOpenError,
    );
  });

  it("refuses any single altered byte (version, nonce, body, tag) and truncation", () => {
    const sealed = sealSecret(plaintext, key, aad);
    for (let i = 0; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(() => openSecret(tampered, key, aad), `byte ${i}`).toThrow(SecretOpenError);
    }
    expect(() => openSecret(sealed.subarray(0, sealed.length - 1), key, aad)).toThrow(SecretOpenError);
    expect(() => openSecret(sealed.subarray(0, 10), key, aad)).toThrow(SecretOpenError);
  });

  it("rejects keys that are not 32 bytes and an empty AAD", () => {
    expect(() => sealSecret(plaintext, randomBytes(16), aad)).toThrow(RangeError);
    expect(() => sealSecret(plaintext, key, "")).toThrow(RangeError);
  });
});

describe("sha256Hex", () => {
  it("matches the known vector", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex(Buffer.from("abc"))).toBe(sha256Hex("abc"));
  });
});
