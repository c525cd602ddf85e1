import { KeyportError } from "@/lib/errors";

/**
 * Every KMS and STS exception Keyport can meet, mapped to a stable code and a
 * sentence that says what happened and what to do. Pages and actions show
 * `message`; logs and the audit trail keep `code`, `awsName` and `requestId`.
 */

export type KmsErrorCode =
  | "not_found"
  | "invalid_arn"
  | "pending_deletion"
  | "invalid_state"
  | "unsupported_operation"
  | "disabled"
  | "invalid_key_usage"
  | "incorrect_key"
  | "dependency_timeout"
  | "kms_internal"
  | "throttled"
  | "import_token_expired"
  | "import_token_invalid"
  | "incorrect_key_material"
  | "invalid_ciphertext"
  | "signature_invalid"
  | "mac_invalid"
  | "access_denied"
  | "credentials_expired"
  | "credentials_invalid"
  | "validation"
  | "limit_exceeded"
  | "network"
  | "endpoint_unsupported"
  | "unreadable_answer"
  | "unknown";

/**
 * A KeyportError, so the action and route wrappers pass its code and sentence to the person as they are.
 * Route handlers answer 502 (an upstream refused or failed), 422 for a request AWS found invalid.
 */
/** Marks every KmsError, whichever bundled copy of this module made it (see KEYPORT_ERROR in lib/errors). */
const KMS_ERROR = Symbol.for("keyport.kms-error");

export class KmsError extends KeyportError {
  declare readonly code: KmsErrorCode;

  constructor(
    code: KmsErrorCode,
    message: string,
    readonly details: {
      awsName?: string;
      awsMessage?: string;
      requestId?: string;
      httpStatus?: number;
      /** The KMS or STS operation, e.g. "GetParametersForImport" (set by the client middleware in clients.ts). */
      operation?: string;
      /** How many times the SDK sent the request. */
      attempts?: number;
      retryable: boolean;
    },
  ) {
    super(code, message, { status: code === "validation" ? 422 : 502 });
    this.name = "KmsError";
    Object.defineProperty(this, KMS_ERROR, { value: true });
  }
}

/** Whether `error` is a KmsError, also one made by another bundled copy of this module. */
export function isKmsError(error: unknown): error is KmsError {
  return error instanceof KmsError || (typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[KMS_ERROR] === true);
}

/**
 * How one AWS exception name is told to the person. `message` gets AWS's message and the operation (when the
 * client middleware recorded it); `refine` picks another code and sentence for a variant AWS sends under the
 * same name.
 */
type Rule = {
  code: KmsErrorCode;
  retryable: boolean;
  message: (awsMessage: string, operation: string | undefined) => string;
  refine?: (awsMessage: string) => { code: KmsErrorCode; message: string } | undefined;
};

const RULES: Record<string, Rule> = {
  NotFoundException: {
    code: "not_found",
    retryable: false,
    message: () => "AWS KMS cannot find this key in the account and Region. It may have been deleted; refresh the inventory.",
    // AWS answers NotFoundException for identifiers it cannot read as well: "Invalid keyId 'x'" for a
    // malformed key id, "Invalid arn eu-west-1" for a key ARN of another Region than the request's. Neither
    // says the key is gone.
    refine: (m) =>
      /^Invalid (keyId|arn)\b/.test(m)
        ? {
            code: "invalid_arn",
            message:
              "AWS KMS could not read the key identifier: it is malformed, or it is a key ARN of another Region than the request's. Refresh the inventory and start again from the key's page.",
          }
        : undefined,
  },
  InvalidArnException: {
    code: "invalid_arn",
    retryable: false,
    message: () => "AWS KMS rejected the key ARN as malformed. Refresh the inventory and start again from the key's page.",
  },
  KMSInvalidStateException: {
    code: "invalid_state",
    retryable: false,
    // AWS words these "<key ARN> is pending import." (recorded in lib/kms/__fixtures__/aws-answers.json) and
    // "<key ARN> is pending deletion."; the pending-rotation wording is the emulator's, none of AWS's is on record.
    message: (m) =>
      /pending deletion/i.test(m)
        ? "This key is scheduled for deletion; cancel the deletion before importing."
        : /pending import/i.test(m)
          ? "This key has no key material (it is pending import), so it cannot be used yet. Import key material into it first."
        : /pending.*rotation|PENDING_ROTATION/i.test(m)
          ? "This key already has new key material waiting to be rotated in; rotate or delete it before importing more."
        : /\bis (being )?creat(ed|ing)\b|\bCreating\b/.test(m)
          ? "This key is still being created in AWS KMS (a new multi-Region replica answers Creating for a while). Refresh the inventory in a minute, then try again."
          : "The key is not in a state that allows this operation. Refresh the key to see its current state, then try again.",
  },
  UnsupportedOperationException: {
    code: "unsupported_operation",
    retryable: false,
    message: () =>
      "AWS KMS does not allow this operation on this key: only keys with origin EXTERNAL take imported key material, and custom key stores cannot.",
  },
  InvalidKeyUsageException: {
    code: "invalid_key_usage",
    retryable: false,
    message: () =>
      "AWS KMS refused: this key's usage or key spec does not allow this operation or algorithm (an encryption key cannot compute a MAC, an HMAC_224 key takes only HMAC_SHA_224). Check the key's usage and spec on its page.",
  },
  IncorrectKeyException: {
    code: "incorrect_key",
    retryable: false,
    message: () => "The ciphertext was not encrypted under this key, so AWS KMS will not decrypt it with it. Use the key that encrypted it.",
  },
  // AWS sends both with an empty message (recorded): the exception name is all there is to go on.
  KMSInvalidSignatureException: {
    code: "signature_invalid",
    retryable: false,
    message: () =>
      "AWS KMS found that the signature does not match: the signed data or the signature was altered, or another key or algorithm made it. Treat what was signed as untrusted.",
  },
  KMSInvalidMacException: {
    code: "mac_invalid",
    retryable: false,
    message: () =>
      "AWS KMS found that the MAC does not match: the data or the MAC was altered, or another key or algorithm made it. Treat the data as untrusted.",
  },
  DisabledException: {
    code: "disabled",
    retryable: false,
    message: () => "The key is disabled. Enable it in AWS KMS first, then try again.",
  },
  DependencyTimeoutException: {
    code: "dependency_timeout",
    retryable: true,
    message: () => "AWS KMS did not answer in time. Nothing was changed; try again in a minute.",
  },
  KMSInternalException: {
    code: "kms_internal",
    retryable: true,
    message: () => "AWS KMS had an internal error. Nothing was changed; try again in a minute.",
  },
  ThrottlingException: {
    code: "throttled",
    retryable: true,
    message: () => "AWS KMS is limiting the rate of requests for this account and Region. Wait a few seconds and try again.",
  },
  ExpiredImportTokenException: {
    code: "import_token_expired",
    retryable: false,
    message: () => "The import token has expired (tokens last 24 hours). Reissue the import parameters, wrap the material again with the new public key, and upload it.",
  },
  InvalidImportTokenException: {
    code: "import_token_invalid",
    retryable: false,
    message: () => "AWS KMS rejected the import token: it does not belong to this key or was damaged. Reissue the import parameters and wrap the material again.",
  },
  IncorrectKeyMaterialException: {
    code: "incorrect_key_material",
    retryable: false,
    message: () =>
      "AWS KMS rejected the key material: it has the wrong size or format for this key spec, or differs from the material imported before. Check the material and wrap it again.",
  },
  InvalidCiphertextException: {
    code: "invalid_ciphertext",
    retryable: false,
    // ImportKeyMaterial says so when the wrapped material does not unwrap; Decrypt (with no message at all)
    // when the ciphertext is damaged or its encryption context differs.
    message: (_m, operation) =>
      operation === "Decrypt"
        ? "AWS KMS could not decrypt the ciphertext with this key: it is damaged, or it was encrypted with another encryption context. Check that the ciphertext and the encryption context are the ones this key produced."
        : "AWS KMS could not unwrap the uploaded material. It was probably wrapped with another public key or another algorithm than this request's; wrap it again with this request's WrappingPublicKey.bin.",
  },
  AccessDeniedException: {
    code: "access_denied",
    retryable: false,
    message: () => "The IAM role Keyport assumed is not allowed to do this. Ask your AWS administrator to grant the KMS permission listed in the README.",
  },
  AccessDenied: {
    code: "access_denied",
    retryable: false,
    message: () =>
      "Keyport could not assume the target's IAM role. Check the role's trust policy (sts:AssumeRole, sts:SetSourceIdentity) and the external id.",
  },
  ExpiredTokenException: {
    code: "credentials_expired",
    retryable: true,
    message: () => "The AWS credentials Keyport used have expired. Try again; Keyport fetches fresh ones.",
  },
  ExpiredToken: {
    code: "credentials_expired",
    retryable: true,
    message: () => "The AWS credentials Keyport used have expired. Try again; Keyport fetches fresh ones.",
  },
  UnrecognizedClientException: {
    code: "credentials_invalid",
    retryable: false,
    message: () => "AWS does not recognise Keyport's credentials. Check the credentials Keyport runs with (its AWS profile, role or environment).",
  },
  InvalidClientTokenId: {
    code: "credentials_invalid",
    retryable: false,
    message: () => "AWS does not recognise Keyport's credentials. Check the credentials Keyport runs with (its AWS profile, role or environment).",
  },
  InvalidSignatureException: {
    code: "credentials_invalid",
    retryable: false,
    message: () => "AWS rejected the request signature. Check Keyport's secret access key and the server's clock.",
  },
  SignatureDoesNotMatch: {
    code: "credentials_invalid",
    retryable: false,
    message: () => "AWS rejected the request signature. Check Keyport's secret access key and the server's clock.",
  },
  ValidationException: {
    code: "validation",
    retryable: false,
    message: (m) => `AWS KMS rejected the request: ${m || "a parameter is invalid"}.`,
  },
  ValidationError: {
    code: "validation",
    retryable: false,
    message: (m) => `AWS rejected the request: ${m || "a parameter is invalid"}.`,
  },
  LimitExceededException: {
    code: "limit_exceeded",
    retryable: false,
    // RotateKeyOnDemand's limit is per key and for its lifetime (10 on-demand rotations); waiting or a quota
    // increase does not lift it.
    message: (_m, operation) =>
      operation === "RotateKeyOnDemand"
        ? "AWS KMS refused the rotation: this key has had the 10 on-demand rotations KMS allows a key, and it cannot rotate again. Reimport its current material to extend it, or move to a new key."
        : "An AWS KMS quota for this account and Region is exhausted. Wait, or ask your AWS administrator to raise it.",
  },
};

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH"]);

/** Which operation a failed call was, and where it went: recorded by the client middleware (clients.ts). */
export type CallInfo = { operation: string; host?: string };
const CALLS = new WeakMap<object, CallInfo>();

/** Remembers, for `toKmsError`, which operation `error` came from (kept beside the error, not on it). */
export function noteCall(error: unknown, call: CallInfo): void {
  if (typeof error === "object" && error !== null && !CALLS.has(error)) CALLS.set(error, call);
}

/**
 * An HTTP answer that is not an AWS answer at all: a body that does not parse (an HTML error page, a proxy's
 * text). Thrown by the client middleware in place of the SDK's deserialization error, deliberately without
 * the SDK's `$metadata.httpStatusCode`: the SDK retries any 500 as transient, and what an endpoint answers
 * with a page instead of AWS JSON it answers the same way every time (moto's "not implemented", for one).
 */
export class UnexpectedAnswerError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly contentType: string | null,
    readonly call: CallInfo,
  ) {
    super(`${call.operation}: HTTP ${httpStatus} with a body that is not an AWS answer (${contentType ?? "no content type"})`);
    this.name = "UnexpectedAnswerError";
  }
}

/** Gateway and rate answers that proxies and load balancers send as pages: worth the SDK's retries. */
const RETRIED_PAGE_STATUSES = new Set([429, 502, 503, 504]);

/**
 * The SDK's deserialization error (an HTTP answer whose body did not parse) as an UnexpectedAnswerError,
 * unless its status is one the SDK should retry; anything else is returned as it is.
 */
export function unexpectedAnswer(error: unknown, call: CallInfo): unknown {
  const e = (typeof error === "object" && error !== null ? error : {}) as AwsLikeError & { $response?: { headers?: Record<string, string> } };
  const status = e.$metadata?.httpStatusCode;
  const contentType = e.$response?.headers?.["content-type"] ?? null;
  // JSON that did not parse has no `$fault`; the XML parser (STS) reads a page as an error without a code,
  // which the SDK names "Unknown".
  const notAws = e.$fault === undefined || (e.name === "Unknown" && !/json|xml/i.test(contentType ?? ""));
  if (!notAws || !e.$response || typeof status !== "number" || RETRIED_PAGE_STATUSES.has(status)) return error;
  return new UnexpectedAnswerError(status, contentType, call);
}

type AwsLikeError = {
  name?: string;
  message?: string;
  code?: string;
  $fault?: "client" | "server";
  $metadata?: { requestId?: string; httpStatusCode?: number; attempts?: number };
  cause?: unknown;
};

function isNetworkError(e: AwsLikeError): boolean {
  const causeCode = (e.cause as { code?: string } | undefined)?.code;
  return (
    NETWORK_CODES.has(e.code ?? "") ||
    NETWORK_CODES.has(causeCode ?? "") ||
    e.name === "TimeoutError" ||
    e.name === "RequestTimeout" ||
    /ECONNREFUSED|socket hang up|getaddrinfo/i.test(e.message ?? "")
  );
}

/**
 * Whether `error` is AWS's (or the network path's) answer rather than Keyport's own failure: a KmsError, an
 * SDK service exception (it carries `$fault` or the answer's HTTP status in `$metadata`), an answer that was
 * not AWS's, or a network failure. Anything else — a database error, a bug, a value that did not decode — is
 * Keyport's, and must not be shown as something AWS said.
 */
export function isAwsFailure(error: unknown): boolean {
  if (isKmsError(error) || error instanceof UnexpectedAnswerError) return true;
  if (typeof error !== "object" || error === null) return false;
  const e = error as AwsLikeError;
  if (e.$fault === "client" || e.$fault === "server") return true;
  if (typeof e.$metadata?.httpStatusCode === "number") return true;
  return isNetworkError(e);
}

/** The first sentence of a mapped error: what happened, without the advice that follows it. */
export function whatHappened(error: KmsError): string {
  const match = /^.*?[.!?](?=\s|$)/.exec(error.message);
  return match ? match[0] : error.message;
}

/** Turns whatever the SDK threw into a KmsError. Already-mapped errors pass through. */
export function toKmsError(error: unknown): KmsError {
  if (isKmsError(error)) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as AwsLikeError;
  const call = CALLS.get(e) ?? (error instanceof UnexpectedAnswerError ? error.call : undefined);
  const operation = call?.operation;
  const attempts = e.$metadata?.attempts;
  const name = e.name ?? "Error";
  const awsMessage = e.message ?? "";
  const requestId = e.$metadata?.requestId;
  const httpStatus = error instanceof UnexpectedAnswerError ? error.httpStatus : e.$metadata?.httpStatusCode;
  const base = { awsName: name, requestId, httpStatus, operation, attempts };
  const op = operation ?? "the request";
  const endpoint = call?.host ? `The endpoint at ${call.host}` : "The AWS endpoint";

  if (error instanceof UnexpectedAnswerError) {
    const what = `${endpoint} answered ${op} with HTTP ${error.httpStatus} and ${error.contentType ? `a ${error.contentType.split(";")[0]} body` : "a body"} that is not an AWS answer`;
    if (error.httpStatus < 400) {
      return new KmsError(
        "unreadable_answer",
        `${what}, so it is not known whether ${op} took effect. Check the key's state on its page before trying again, and check the endpoint Keyport is configured with (KEYPORT_AWS_ENDPOINT).`,
        { ...base, awsMessage: "", retryable: false },
      );
    }
    return new KmsError(
      "endpoint_unsupported",
      `${what}: it may not support ${op}, or something other than AWS answered in its place. Trying again will not help; point Keyport at an endpoint that implements ${op} (KEYPORT_AWS_ENDPOINT).`,
      { ...base, awsMessage: "", retryable: false },
    );
  }

  const rule = RULES[name];
  if (rule) {
    const refined = rule.refine?.(awsMessage);
    if (refined) return new KmsError(refined.code, refined.message, { ...base, awsMessage, retryable: rule.retryable });
    return new KmsError(rule.code, rule.message(awsMessage, operation), { ...base, awsMessage, retryable: rule.retryable });
  }

  if (isNetworkError(e)) {
    return new KmsError("network", "Keyport could not reach AWS. Check the network path to the KMS and STS endpoints, then try again.", {
      ...base,
      awsMessage,
      retryable: true,
    });
  }
  if (name === "TooManyRequestsException" || name === "Throttling" || name === "RequestLimitExceeded" || httpStatus === 429) {
    const throttle = RULES.ThrottlingException!;
    return new KmsError(throttle.code, throttle.message(awsMessage, operation), { ...base, awsMessage, retryable: true });
  }
  if (httpStatus === 501 || /not (yet )?implemented/i.test(awsMessage)) {
    return new KmsError(
      "endpoint_unsupported",
      `${endpoint} answered ${op} with HTTP ${httpStatus ?? "error"} (${name}): it may not support ${op}. Trying again will not help; point Keyport at an endpoint that implements ${op} (KEYPORT_AWS_ENDPOINT).`,
      { ...base, awsMessage, retryable: false },
    );
  }
  if (httpStatus !== undefined && httpStatus >= 500) {
    const times = attempts && attempts > 1 ? ` on each of ${attempts} attempts` : "";
    return new KmsError(
      "unknown",
      `${endpoint} answered ${op} with HTTP ${httpStatus}${times}, with no error Keyport recognises (${name}). It may be briefly unavailable: try again in a few minutes, and tell your administrator if it persists.`,
      { ...base, awsMessage, retryable: true },
    );
  }
  if (httpStatus !== undefined) {
    return new KmsError(
      "unknown",
      `${endpoint} refused ${op} with HTTP ${httpStatus} and an error Keyport does not recognise (${name}). Trying again will not change the answer; tell your administrator this error name.`,
      { ...base, awsMessage, retryable: false },
    );
  }
  return new KmsError(
    "unknown",
    `${op === "the request" ? "The request to AWS" : op} failed without an answer from AWS (${name}). Tell your administrator if it persists.`,
    { ...base, awsMessage, retryable: false },
  );
}
