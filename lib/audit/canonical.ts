import { createHash } from "node:crypto";
import type { AuditEvent, JsonValue } from "./events";

/**
 * The audit hash chain, specified so that an auditor can recompute it offline from an export.
 *
 *   hash(event) = lowercase hex SHA-256 of the UTF-8 bytes of  prev_hash ‖ canonical_json(content)
 *
 * - `prev_hash` is the previous event's `hash` as 64 lowercase hex characters; the first event (seq 1)
 *   uses 64 zeros (GENESIS_HASH). `‖` is plain concatenation, no separator.
 * - `content` is this JSON object (every member present; absent optional values are explicit `null`):
 *     { "v": 1, "seq": <integer>, "id": "<uuid>", "at": "<YYYY-MM-DDTHH:mm:ss.sssZ>", "action": "...",
 *       "actor": { "kind": "user"|"system", "subject": "...", "name": "..."|null, "roles": ["..."] },
 *       "targetId": ..., "region": ..., "keyArn": ..., "requestId": ..., "kmsRequestId": ...,
 *       "details": { ... } }
 *   `at` is UTC with exactly three fraction digits (JavaScript `Date#toISOString`). Array order is kept.
 * - `canonical_json` is the JSON Canonicalization Scheme, RFC 8785: no whitespace; object members sorted by
 *   their names compared as UTF-16 code units, recursively; strings escaped as ECMAScript JSON.stringify
 *   does (only `"`, `\` and control characters; \b \f \n \r \t short forms, other controls as \u00xx);
 *   numbers in ECMAScript shortest round-trip form. Members whose value is undefined do not exist. Strings
 *   are Unicode text: one holding a lone surrogate is refused, as RFC 8785 (through I-JSON, RFC 7493) requires.
 *
 * The seq is inside the hashed content, so rows cannot be renumbered or reordered without breaking the chain.
 * The JSON Lines export writes exactly `content` plus "prevHash" and "hash" members (canonically), so a
 * verifier drops those two members, canonicalizes the rest and hashes.
 */

export const GENESIS_HASH = "0".repeat(64);
export const CANONICAL_VERSION = 1;

// With the u flag a surrogate pair is one code point, so this matches only a half of one: not Unicode text.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * A string as RFC 8785 writes it. A lone surrogate has no UTF-8 form: a text column would store U+FFFD (and the
 * hash would never verify), a jsonb column refuses it.
 */
function canonicalString(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new TypeError("Audit JSON cannot hold a string with a lone surrogate (not valid Unicode).");
  return JSON.stringify(value);
}

/**
 * RFC 8785 canonical JSON of a JSON value. Throws TypeError on anything JSON cannot represent exactly.
 * canonical-reference.test.ts checks it against an independent implementation (the `canonicalize` package).
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return canonicalString(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`Audit JSON cannot hold the number ${value}.`);
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        return `[${value
          .map((item: unknown) => {
            if (item === undefined) throw new TypeError("Audit JSON arrays cannot hold undefined.");
            return canonicalJson(item);
          })
          .join(",")}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`Audit JSON holds plain objects only, not ${value.constructor?.name ?? "this object"}.`);
      }
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is what RFC 8785 prescribes.
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${canonicalString(k)}:${canonicalJson(record[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`Audit JSON cannot hold a ${typeof value}.`);
  }
}

export type AuditContent = Omit<AuditEvent, "prevHash" | "hash">;

/** The object that is hashed (see the comment at the top of this file). */
export function canonicalContent(e: AuditContent): { [key: string]: JsonValue } {
  return {
    v: CANONICAL_VERSION,
    seq: e.seq,
    id: e.id,
    at: e.at.toISOString(),
    action: e.action,
    actor: { kind: e.actor.kind, subject: e.actor.subject, name: e.actor.name, roles: [...e.actor.roles] },
    targetId: e.targetId,
    region: e.region,
    keyArn: e.keyArn,
    requestId: e.requestId,
    kmsRequestId: e.kmsRequestId,
    details: e.details,
  };
}

export function computeEventHash(prevHash: string, e: AuditContent): string {
  return createHash("sha256")
    .update(prevHash + canonicalJson(canonicalContent(e)), "utf8")
    .digest("hex");
}
