import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import { canonicalContent, canonicalJson } from "./canonical";
import type { AuditEvent, JsonValue } from "./events";

/**
 * Keyport's RFC 8785 canonicaliser defines the audit hash, so it stays Keyport's own code; here it must agree,
 * byte for byte, with an independent implementation (the `canonicalize` package) on everything an audit event
 * can hold.
 */

const numbers = [
  0, -0, 1, -1, 10, 1.5, -1.5, 0.1 + 0.2, 1e21, 1e20, 1e-6, 1e-7, 123456789012345680000, 5e-324, -5e-324,
  Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Number.MAX_VALUE, Number.MIN_VALUE, 333333333.3333333, 9007199254740993,
  4.5, 0.002, 1e23, 2 ** 53 + 2, 295147905179352830000, 1.7976931348623157e308,
];

const strings = [
  "",
  "plain",
  'quote " backslash \\ slash /',
  "controls \u0000\u0001\u0008\u0009\u000a\u000b\u000c\u000d\u001f\u007f",
  "line separators \u2028\u2029",
  "é ü ß Ö",
  "ключ",
  "鍵 キー",
  "emoji 🔑 😀 👩‍👩‍👧",
  "\uffff \ufeff \u20ac",
  "combining e\u0301 vs \u00e9",
];

/** Keys that sort differently by UTF-16 code unit, by code point and by locale. */
const keys = ["a", "B", "b", "é", "\u20ac", "\ud83d\ude00", "\uffff", "10", "9", "", "_", "aa", "a b", "\r", "1", "ключ"];

const nested: JsonValue = {
  z: [1, [2, [3, { y: null, x: [true, false] }]]],
  a: { c: { b: { a: [] } }, "": {} },
  ...Object.fromEntries(keys.map((k, i) => [k, i % 2 ? strings[i % strings.length]! : numbers[i % numbers.length]!])),
};

const actor = { kind: "user" as const, subject: "carol@example.com", name: "Carol Ö'Brien", roles: ["custodian", "approver"] };

/** Shapes of real audit events (content as hashed, see canonical.ts). */
const events: Omit<AuditEvent, "prevHash" | "hash">[] = [
  {
    seq: 1,
    id: "6f1c2a9e-8d3b-4c5e-9f7a-1b2c3d4e5f60",
    at: new Date("2026-12-01T13:33:00.123Z"),
    action: "auth.sign_in",
    actor,
    targetId: null,
    region: null,
    keyArn: null,
    requestId: null,
    kmsRequestId: null,
    details: { provider: "oidc", groups: ["kms-custodians"] },
  },
  {
    seq: 50,
    id: "82ca661b-2f4e-4d6a-8b1c-0e9f8a7b6c5d",
    at: new Date("2026-12-02T13:33:59.999Z"),
    action: "import.parameters_issued",
    actor,
    targetId: "payments-prod",
    region: "eu-west-1",
    keyArn: "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    requestId: "82ca661b-2f4e-4d6a-8b1c-0e9f8a7b6c5d",
    kmsRequestId: "0b8f7c1e-aaaa-bbbb-cccc-000000000000",
    details: {
      wrappingAlgorithm: "RSA_AES_KEY_WRAP_SHA_256",
      wrappingKeySpec: "RSA_4096",
      parametersValidTo: "2026-12-03T13:33:59.000Z",
      publicKeySha256: "a".repeat(64),
      importTokenSha256: "b".repeat(64),
      reissue: true,
    },
  },
  {
    seq: 51,
    id: "9d8c7b6a-5f4e-4d3c-8b2a-190817161514",
    at: new Date("2026-12-02T13:36:00.000Z"),
    action: "import.failed",
    actor: { kind: "system", subject: "keyport", name: null, roles: [] },
    targetId: "payments-prod",
    region: "us-east-1",
    keyArn: "arn:aws:kms:us-east-1:333333333333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
    requestId: "82ca661b-2f4e-4d6a-8b1c-0e9f8a7b6c5d",
    kmsRequestId: null,
    details: {
      code: "invalid_ciphertext",
      message: 'AWS KMS refused it (invalid_ciphertext)…\r\nwrap it again with "WrappingPublicKey.bin"',
      approvals: [{ by: "bob@example.com", blobSha256: "c".repeat(64), at: "2026-12-02T13:35:00.000Z" }],
      attempt: 2,
      retryable: false,
      justification: "Quarterly ceremony, ticket SEC-1234 — κλειδί 🔑",
      bytes: 2854,
    },
  },
];

/** A small deterministic generator (mulberry32), so a failure names a value that can be reproduced. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValue(next: () => number, depth: number): JsonValue {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
  switch (kind) {
    case 0:
      return pick(strings) + String.fromCodePoint(Math.floor(next() * 0xd7ff));
    case 1:
      return next() < 0.5 ? pick(numbers) : (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
    case 2:
      return pick([true, false, null]);
    case 3:
      return Math.floor((next() - 0.5) * 2 ** 53);
    case 4:
      return Array.from({ length: Math.floor(next() * 5) }, () => randomValue(next, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 6) }, () => [pick(keys) + pick(["", "x", "é"]), randomValue(next, depth + 1)]));
  }
}

describe("canonicalJson agrees with the canonicalize package (RFC 8785)", () => {
  it.each([
    ["numbers", numbers],
    ["strings", strings],
    ["keys", Object.fromEntries(keys.map((k) => [k, k]))],
    ["nested objects and arrays", nested],
  ] as [string, JsonValue][])("on %s", (_, value) => {
    expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it("on each number alone", () => {
    for (const n of numbers) expect(canonicalJson(n), String(n)).toBe(canonicalize(n));
  });

  it.each(events.map((e) => [e.action, e] as const))("on the hashed content of a real %s event", (_, event) => {
    const content = canonicalContent(event);
    expect(canonicalJson(content)).toBe(canonicalize(content));
  });

  it("on 2,000 generated values", () => {
    const next = random(8785);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(next, 0);
      expect(canonicalJson(value), JSON.stringify(value)).toBe(canonicalize(value));
    }
  });

  it("and both refuse what has no canonical form: lone surrogates, NaN, Infinity", () => {
    for (const value of ["\ud800", "a\udc00b", { "\ud83d": 1 }, [Number.NaN], { x: Infinity }]) {
      expect(() => canonicalize(value), JSON.stringify(value)).toThrow();
      expect(() => canonicalJson(value), JSON.stringify(value)).toThrow(TypeError);
    }
  });
});
