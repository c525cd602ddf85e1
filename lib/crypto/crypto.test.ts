import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCipheriv } from "node:crypto";
import { SecretOpenError, dataKeyId, openSecret, sealSecret, sealedKeyId, secretAad, sha256Hex } from "./index";

const key = randomBytes(32);
const aad = secretAad("parameter_set.import_token", "3f1e0d2c-0000-4000-8000-000000000001");
const plaintext = Buffer.from("import token bytes \u00e9\u0000\u00ff", "utf8");

describe("sealSecret / openSecret", () => {
  it("round-trips and uses a fresh nonce each time", () => {
    const a = sealSecret(plaintext, key, aad);
    const b = sealSecret(plaintext, key, aad);
    expect(a.equals(b)).toBe(false);
    expect(a.length).toBe(1 + 8 + 12 + plaintext.length + 16);
    expect(a[0]).toBe(2);
    expect(sealedKeyId(a)).toBe(dataKeyId(key));
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

/** A value in the format written before key ids existed: 1 ‖ nonce ‖ ciphertext ‖ tag, AAD 1 ‖ aad. */
function sealV1(data: Buffer, k: Buffer, a: string): Buffer {
  const nonce = Buffer.alloc(12, 9);
  const cipher = createCipheriv("aes-256-gcm", k, nonce, { authTagLength: 16 });
  cipher.setAAD(Buffer.concat([Buffer.of(1), Buffer.from(a, "utf8")]));
  const body = Buffer.concat([cipher.update(data), cipher.final()]);
  return Buffer.concat([Buffer.of(1), nonce, body, cipher.getAuthTag()]);
}

describe("data key rotation", () => {
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);

  it("names the key: a short fingerprint, the same for the same key", () => {
    expect(dataKeyId(keyA)).toMatch(/^[0-9a-f]{16}$/);
    expect(dataKeyId(Buffer.from(keyA))).toBe(dataKeyId(keyA));
    expect(dataKeyId(keyB)).not.toBe(dataKeyId(keyA));
  });

  it("opens a value sealed under A after rotating to B with A as previous, and seals new values under B", () => {
    const sealed = sealSecret(plaintext, keyA, aad);
    const ring = { current: keyB, previous: [keyA] };
    expect(openSecret(sealed, ring, aad).equals(plaintext)).toBe(true);
    expect(sealedKeyId(sealSecret(plaintext, ring, aad))).toBe(dataKeyId(keyB));
  });

  it("refuses a value sealed under a key it does not hold, naming that key's id", () => {
    const sealed = sealSecret(plaintext, keyA, aad);
    expect(() => openSecret(sealed, { current: keyB, previous: [] }, aad)).toThrow(SecretOpenError);
    expect(() => openSecret(sealed, { current: keyB, previous: [] }, aad)).toThrow(
      new RegExp(`sealed under data key ${dataKeyId(keyA)}.*KEYPORT_DATA_KEY_PREVIOUS`),
    );
  });

  it("still reads values in the old format without a key id, under the current key and then the previous ones", () => {
    const old = sealV1(plaintext, keyA, aad);
    expect(openSecret(old, keyA, aad).equals(plaintext)).toBe(true);
    expect(openSecret(old, { current: keyB, previous: [keyA] }, aad).equals(plaintext)).toBe(true);
    expect(() => openSecret(old, keyB, aad)).toThrow(SecretOpenError);
    expect(() => openSecret(old, keyA, secretAad("wrapped_blob.ciphertext", "x"))).toThrow(SecretOpenError);
  });
});

describe("sha256Hex", () => {
  it("matches the known vector", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex(Buffer.from("abc"))).toBe(sha256Hex("abc"));
  });
});
