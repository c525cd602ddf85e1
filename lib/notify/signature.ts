import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * How a delivery is signed, and how a receiver checks it (the README's "Notifications" shows the same in a few
 * lines). Pure node:crypto, shared by the sender, the tests and `npm run webhook:listen`.
 *
 * `X-Keyport-Signature: v1=<hex HMAC-SHA256 of "<X-Keyport-Timestamp>.<raw body>" under KEYPORT_WEBHOOK_SECRET>`.
 * The timestamp (unix seconds) is part of what is signed, so a captured delivery cannot be replayed later; each
 * attempt is signed afresh. `X-Keyport-Delivery` is the message's id, the same on every attempt: deliveries are
 * at least once, and receivers drop an id they have already seen.
 */

export const TIMESTAMP_HEADER = "X-Keyport-Timestamp";
export const SIGNATURE_HEADER = "X-Keyport-Signature";
export const DELIVERY_HEADER = "X-Keyport-Delivery";

/** How far a delivery's timestamp may be from the receiver's clock (both ways). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** The headers of one attempt. */
export function signatureHeaders(secret: string, deliveryId: string, timestamp: number, body: string): Record<string, string> {
  return {
    "Content-Type": "application/json",
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
    [DELIVERY_HEADER]: deliveryId,
  };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: "missing" | "malformed" | "stale" | "mismatch" };

/**
 * Checks a delivery as received: the raw body exactly as it arrived (before any JSON parsing), the two headers,
 * and the receiver's clock. The signature header may carry several `v1=` values separated by commas (one per
 * secret while a secret is being replaced); any one that matches will do.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  body: string;
  timestamp: string | null | undefined;
  signature: string | null | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}): SignatureCheck {
  if (!input.timestamp || !input.signature) return { ok: false, reason: "missing" };
  if (!/^\d{1,12}$/.test(input.timestamp)) return { ok: false, reason: "malformed" };
  const timestamp = Number(input.timestamp);
  if (Math.abs(input.nowSeconds - timestamp) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return { ok: false, reason: "stale" };
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const offered = input.signature
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.startsWith("v1="));
  if (offered.length === 0) return { ok: false, reason: "malformed" };
  const match = offered.some((s) => {
    const bytes = Buffer.from(s);
    return bytes.length === expected.length && timingSafeEqual(bytes, expected);
  });
  return match ? { ok: true } : { ok: false, reason: "mismatch" };
}
