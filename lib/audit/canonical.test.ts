import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GENESIS_HASH, canonicalJson, computeEventHash } from "./canonical";
import type { AuditEvent } from "./events";

describe("canonicalJson (RFC 8785)", () => {
  it("sorts members recursively, keeps array order, drops undefined members, no whitespace", () => {
    expect(canonicalJson({ b: 1, a: [3, 1, { d: null, c: "x" }], u: undefined })).toBe('{"a":[3,1,{"c":"x","d":null}],"b":1}');
  });

  it("sorts by UTF-16 code units, not by locale", () => {
    expect(canonicalJson({ "\u00e9": 1, z: 2, Z: 3, "\ud83d\ude00": 4, "\uffff": 5 })).toBe(
      '{"Z":3,"z":2,"\u00e9":1,"\ud83d\ude00":4,"\uffff":5}',
    );
  });

  it("formats numbers and escapes strings as ECMAScript does", () => {
    expect(canonicalJson([1.5, -0, 1e21, 1e-7, 0.1 + 0.2, 10])).toBe("[1.5,0,1e+21,1e-7,0.30000000000000004,10]");
    expect(canonicalJson('q"b\\\n\t\u0001\u00e9')).toBe(String.raw`"q\"b\\\n\t\u0001é"`);
  });

  it("refuses what JSON cannot represent exactly", () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ x: Infinity })).toThrow(TypeError);
    expect(() => canonicalJson({ x: new Date(0) })).toThrow(TypeError);
    expect(() => canonicalJson({ x: 1n })).toThrow(TypeError);
    expect(() => canonicalJson([undefined])).toThrow(TypeError);
    expect(() => canonicalJson({ x: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson(new Map())).toThrow(TypeError);
  });
});

describe("computeEventHash", () => {
  it("is SHA-256 of prev_hash followed by the canonical content, as documented", () => {
    const event: Omit<AuditEvent, "prevHash" | "hash"> = {
      seq: 1,
      id: "00000000-0000-4000-8000-000000000001",
      at: new Date("2026-01-02T03:04:05.006Z"),
      action: "import.approved",
      actor: { kind: "user", subject: "bob", name: "Bob \u00d6", roles: ["approver"] },
      targetId: "prod",
      region: "eu-west-1",
      keyArn: null,
      requestId: "r1",
      kmsRequestId: null,
      details: { z: 1, a: { y: [true, null, 'x"\n'], b: 1.5 } },
    };
    // Written out by hand, as an auditor's tool would produce it.
    const canonical = String.raw`{"action":"import.approved","actor":{"kind":"user","name":"Bob Ö","roles":["approver"],"subject":"bob"},"at":"2026-01-02T03:04:05.006Z","details":{"a":{"b":1.5,"y":[true,null,"x\"\n"]},"z":1},"id":"00000000-0000-4000-8000-000000000001","keyArn":null,"kmsRequestId":null,"region":"eu-west-1","requestId":"r1","seq":1,"targetId":"prod","v":1}`;
    const expected = createHash("sha256").update(GENESIS_HASH + canonical, "utf8").digest("hex");
    expect(computeEventHash(GENESIS_HASH, event)).toBe(expected);
    expect(computeEventHash(GENESIS_HASH, { ...event, seq: 2 })).not.toBe(expected);
    expect(computeEventHash("1".repeat(64), event)).not.toBe(expected);
  });
});
