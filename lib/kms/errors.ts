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
  | "dependency_timeout"
  | "kms_internal"
  | "throttled"
  | "import_token_expired"
  | "import_token_invalid"
  | "incorrect_key_material"
  | "invalid_ciphertext"
  | "access_denied"
  | "credentials_expired"
  | "credentials_invalid"
  | "validation"
  | "limit_exceeded"
  | "network"
  | "unknown";

/**
 * A KeyportError, so the action and route wrappers pass its code and sentence to the person as they are.
 * Route handlers answer 502 (an upstream refused or failed), 422 for a request AWS found invalid.
 */
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
      retryable: boolean;
    },
  ) {
    super(code, message, { status: code === "validation" ? 422 : 502 });
    this.name = "KmsError";
  }
}

type Rule = { code: KmsErrorCode; retryable: boolean; message: (awsMessage: string) => string };

const RULES: Record<string, Rule> = {
  NotFoundException: {
    code: "not_found",
    retryable: false,
    message: () => "AWS KMS cannot find this key in the account and Region. It may have been deleted; refresh the inventory.",
  },
  InvalidArnException: {
    code: "invalid_arn",
    retryable: false,
    message: () => "AWS KMS rejected the key ARN as malformed. Refresh the inventory and start again from the key's page.",
  },
  KMSInvalidStateException: {
    code: "invalid_state",
    retryable: false,
    message: (m) =>
      /pending deletion/i.test(m)
        ? "This key is scheduled for deletion; cancel the deletion before importing."
        : /pending.*rotation|PENDING_ROTATION/i.test(m)
          ? "This key already has new key material waiting to be rotated in; rotate or delete it before importing more."
          : "The key is not in a state that allows this operation. Refresh the key to see its current state, then try again.",
  },
  UnsupportedOperationException: {
    code: "unsupported_operation",
    retryable: false,
    message: () =>
      "AWS KMS does not allow this operation on this key: only keys with origin EXTERNAL take imported key material, and custom key stores cannot.",
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
    message: () =>
      "AWS KMS could not unwrap the uploaded material. It was probably wrapped with another public key or another algorithm than this request's; wrap it again with this request's WrappingPublicKey.bin.",
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
    message: () => "An AWS KMS quota for this account and Region is exhausted. Wait, or ask your AWS administrator to raise it.",
  },
};

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH"]);

type AwsLikeError = {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { requestId?: string; httpStatusCode?: number };
  cause?: unknown;
};

/** Turns whatever the SDK threw into a KmsError. Already-mapped errors pass through. */
export function toKmsError(error: unknown): KmsError {
  if (error instanceof KmsError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as AwsLikeError;
  const name = e.name ?? "Error";
  const awsMessage = e.message ?? "";
  const requestId = e.$metadata?.requestId;
  const httpStatus = e.$metadata?.httpStatusCode;
  const rule = RULES[name];
  if (rule) return new KmsError(rule.code, rule.message(awsMessage), { awsName: name, awsMessage, requestId, httpStatus, retryable: rule.retryable });

  const causeCode = (e.cause as { code?: string } | undefined)?.code;
  if (
    NETWORK_CODES.has(e.code ?? "") ||
    NETWORK_CODES.has(causeCode ?? "") ||
    name === "TimeoutError" ||
    name === "RequestTimeout" ||
    /ECONNREFUSED|socket hang up|getaddrinfo/i.test(awsMessage)
  ) {
    return new KmsError("network", "Keyport could not reach AWS. Check the network path to the KMS and STS endpoints, then try again.", {
      awsName: name,
      awsMessage,
      retryable: true,
    });
  }
  if (name === "TooManyRequestsException" || name === "Throttling" || name === "RequestLimitExceeded") {
    const throttle = RULES.ThrottlingException!;
    return new KmsError(throttle.code, throttle.message(awsMessage), { awsName: name, awsMessage, requestId, httpStatus, retryable: true });
  }
  return new KmsError("unknown", "AWS returned an error Keyport does not recognise. Nothing was changed by Keyport; try again, and tell your administrator if it persists.", {
    awsName: name,
    awsMessage,
    requestId,
    httpStatus,
    retryable: (httpStatus ?? 0) >= 500,
  });
}
