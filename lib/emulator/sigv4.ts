import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";
import { AuthError } from "./errors";
import { isValidRegion } from "./ids";

/**
 * SigV4 verification by recomputation: the request is rebuilt with exactly the headers the client signed
 * and signed again with @smithy/signature-v4 (the SDK's own signer) using the secret the emulator holds
 * for the access key; the signatures must match. No signing arithmetic lives here.
 */

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

export interface ParsedAuthorization {
  scope: CredentialScope;
  signedHeaders: string[];
  signature: string;
}

export interface IncomingSignedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-cased header names, as node:http gives them. */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** How far a request's X-Amz-Date may be from the wall clock, as in AWS. */
const MAX_SKEW_MS = 15 * 60 * 1000;

export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (!header) throw new AuthError("missing", "Missing Authentication Token");
  const match = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/.exec(header);
  if (!match) {
    throw new AuthError(
      "incomplete",
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters with the AWS4-HMAC-SHA256 algorithm.",
    );
  }
  const [, credential = "", signedHeaders = "", signature = ""] = match;
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") {
    throw new AuthError("incomplete", `Credential should be scoped to a valid region, service and aws4_request: ${credential}`);
  }
  const [accessKeyId = "", date = "", region = "", service = ""] = parts;
  return { scope: { accessKeyId, date, region, service }, signedHeaders: signedHeaders.split(";"), signature };
}

/** Parses `20240131T235959Z`. */
function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
}

/** Node's SHA-256/HMAC as the hash constructor the signer expects. */
export class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }
  update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

function toBuffer(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Signers are cached per credential and scope because each caches its derived signing key; deriving it is
 * most of the cost of a verification.
 */
const signers = new Map<string, SignatureV4>();

function signerFor(scope: CredentialScope, secretAccessKey: string, sessionToken: string | undefined): SignatureV4 {
  const cacheKey = `${scope.accessKeyId}\n${secretAccessKey}\n${sessionToken ?? ""}\n${scope.region}\n${scope.service}`;
  let signer = signers.get(cacheKey);
  if (!signer) {
    if (signers.size >= 500) signers.clear();
    signer = new SignatureV4({
      service: scope.service,
      region: scope.region,
      credentials: { accessKeyId: scope.accessKeyId, secretAccessKey, sessionToken },
      sha256: NodeSha256,
      // The payload hash header is included only when the client signed it (see below).
      applyChecksum: false,
    });
    signers.set(cacheKey, signer);
  }
  return signer;
}

/** Checks the request's date and scope, then recomputes the signature; throws AuthError when it fails. */
export async function verifySignature(
  request: IncomingSignedRequest,
  auth: ParsedAuthorization,
  secretAccessKey: string,
  expectedService: string,
): Promise<void> {
  const { scope, signedHeaders } = auth;
  const headerValue = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(",") : value;
  };

  if (scope.service !== expectedService) {
    throw new AuthError("bad-signature", `Credential should be scoped to correct service: '${expectedService}'.`);
  }
  if (!isValidRegion(scope.region)) {
    throw new AuthError("bad-signature", `Credential should be scoped to a valid region, not '${scope.region}'.`);
  }
  if (!signedHeaders.includes("host")) {
    throw new AuthError("incomplete", "Signature must include the Host header in SignedHeaders.");
  }
  const amzDate = headerValue("x-amz-date");
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!amzDate || !signingDate || !signedHeaders.includes("x-amz-date")) {
    throw new AuthError("incomplete", "Authorization header requires existence of a signed X-Amz-Date header.");
  }
  if (amzDate.slice(0, 8) !== scope.date) {
    throw new AuthError("bad-signature", `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${amzDate.slice(0, 8)}'`);
  }
  // Skew is judged by the wall clock, not the emulator clock: the SDK signs with real time.
  if (Math.abs(Date.now() - signingDate.getTime()) > MAX_SKEW_MS) {
    throw new AuthError("bad-signature", `Signature expired: ${amzDate} is now earlier or later than the allowed 15 minute window.`);
  }

  // A signed payload hash must be the hash of the body actually received.
  const declaredPayloadHash = headerValue("x-amz-content-sha256");
  if (declaredPayloadHash !== undefined && signedHeaders.includes("x-amz-content-sha256")) {
    const actual = createHash("sha256").update(request.body).digest("hex");
    if (declaredPayloadHash !== actual && declaredPayloadHash !== "UNSIGNED-PAYLOAD") {
      throw new AuthError("bad-signature", "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headerValue(name);
    if (value === undefined) {
      throw new AuthError("bad-signature", `The request signature references header '${name}' that is not present.`);
    }
    headers[name] = value;
  }
  const rebuilt: HttpRequest = {
    method: request.method,
    protocol: "http:",
    hostname: headers.host ?? "localhost",
    path: request.path,
    query: request.query,
    headers,
    body: request.body,
  };
  // The signer adds X-Amz-Security-Token itself when credentials carry one; pass it only if it was signed.
  const signedToken = signedHeaders.includes("x-amz-security-token") ? headers["x-amz-security-token"] : undefined;
  const signed = await signerFor(scope, secretAccessKey, signedToken).sign(rebuilt, {
    signingDate,
    signingRegion: scope.region,
    signingService: scope.service,
    signableHeaders: new Set(signedHeaders),
  });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1] ?? "";
  const ok = expected.length === 64 && timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(auth.signature, "hex"));
  if (!ok) {
    throw new AuthError(
      "bad-signature",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
}
