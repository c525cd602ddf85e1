import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhook, signatureHeaders, verifyWebhookSignature } from "./signature";

const secret = "k".repeat(32);
const body = '{"text":"Approval needed"}';
const at = 1_796_000_000;

describe("webhook signatures", () => {
  it("are HMAC-SHA256 of timestamp.body, as the README tells receivers", () => {
    const expected = createHmac("sha256", secret).update(`${at}.${body}`).digest("hex");
    expect(signWebhook(secret, at, body)).toBe(`v1=${expected}`);
    expect(signatureHeaders(secret, "id-1", at, body)).toEqual({
      "Content-Type": "application/json",
      "X-Keyport-Timestamp": String(at),
      "X-Keyport-Signature": `v1=${expected}`,
      "X-Keyport-Delivery": "id-1",
    });
  });

  it("verify what was signed, within the tolerance, with any of several offered signatures", () => {
    const signature = signWebhook(secret, at, body);
    const check = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({ secret, body, timestamp: String(at), signature, nowSeconds: at + 10, ...over });
    expect(check({})).toEqual({ ok: true });
    expect(check({ signature: `v1=${"0".repeat(64)}, ${signature}` })).toEqual({ ok: true });
    expect(check({ body: body.replace("needed", "granted") })).toEqual({ ok: false, reason: "mismatch" });
    expect(check({ secret: "j".repeat(32) })).toEqual({ ok: false, reason: "mismatch" });
    expect(check({ timestamp: String(at + 1) })).toEqual({ ok: false, reason: "mismatch" });
    expect(check({ signature: signature.slice(0, -2) })).toEqual({ ok: false, reason: "mismatch" });
    expect(check({ nowSeconds: at + 301 })).toEqual({ ok: false, reason: "stale" });
    expect(check({ nowSeconds: at - 301 })).toEqual({ ok: false, reason: "stale" });
    expect(check({ signature: signature.replace("v1=", "v0=") })).toEqual({ ok: false, reason: "malformed" });
    expect(check({ timestamp: "12.5" })).toEqual({ ok: false, reason: "malformed" });
    expect(check({ signature: undefined })).toEqual({ ok: false, reason: "missing" });
    expect(check({ timestamp: null })).toEqual({ ok: false, reason: "missing" });
  });
});
