/**
 * Errors the emulator answers with. KMS speaks AWS JSON 1.1 (`{"__type","message"}`), STS speaks awsQuery
 * (an XML `ErrorResponse`); both are raised as exceptions from the handlers and rendered by the server.
 */

/**
 * A KMS exception, rendered as `{"__type": type, "message": message}` with `status`; an empty message is left
 * out, as AWS sends some exceptions (InvalidCiphertextException from Decrypt, KMSInvalidMacException) bare.
 */
export class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** An STS error, rendered as an awsQuery `ErrorResponse`. */
export class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly faultType: "Sender" | "Receiver" = "Sender",
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * A failure to authenticate a request. Its wire name differs per service (KMS says
 * UnrecognizedClientException where STS says InvalidClientTokenId), so it is raised service-neutral and
 * translated by {@link authErrorFor}.
 */
export type AuthFailure = "missing" | "incomplete" | "unknown-key" | "bad-signature" | "expired-token";

export class AuthError extends Error {
  constructor(
    readonly failure: AuthFailure,
    message: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

const KMS_AUTH_TYPES: Record<AuthFailure, string> = {
  missing: "MissingAuthenticationTokenException",
  incomplete: "IncompleteSignatureException",
  "unknown-key": "UnrecognizedClientException",
  "bad-signature": "InvalidSignatureException",
  "expired-token": "ExpiredTokenException",
};

// Real STS names these differently from KMS; Keyport's error mapping must handle the real names.
const STS_AUTH_CODES: Record<AuthFailure, string> = {
  missing: "MissingAuthenticationToken",
  incomplete: "IncompleteSignature",
  "unknown-key": "InvalidClientTokenId",
  "bad-signature": "SignatureDoesNotMatch",
  "expired-token": "ExpiredToken",
};

export function kmsAuthError(error: AuthError): KmsError {
  return new KmsError(KMS_AUTH_TYPES[error.failure], error.message, 400);
}

export function stsAuthError(error: AuthError): StsError {
  return new StsError(STS_AUTH_CODES[error.failure], error.message, 403);
}

/** Constructors for the KMS exceptions raised in more than one place, with the messages KMS uses. */
export const kms = {
  validation: (message: string) => new KmsError("ValidationException", message),
  serialization: (message: string) => new KmsError("SerializationException", message),
  notFound: (message: string) => new KmsError("NotFoundException", message),
  invalidArn: (message: string) => new KmsError("InvalidArnException", message),
  invalidState: (message: string) => new KmsError("KMSInvalidStateException", message),
  disabled: (arn: string) => new KmsError("DisabledException", `${arn} is disabled.`),
  unsupported: (message: string) => new KmsError("UnsupportedOperationException", message),
  invalidKeyUsage: (message: string) => new KmsError("InvalidKeyUsageException", message),
  invalidMarker: () => new KmsError("InvalidMarkerException", "Invalid marker"),
  accessDenied: (message: string) => new KmsError("AccessDeniedException", message),
  alreadyExists: (message: string) => new KmsError("AlreadyExistsException", message),
  limitExceeded: (message: string) => new KmsError("LimitExceededException", message),
  invalidAliasName: (message: string) => new KmsError("InvalidAliasNameException", message),
  tag: (message: string) => new KmsError("TagException", message),
  /** Decrypt's refusal carries no message on AWS; ImportKeyMaterial's unwrap failure passes its own. */
  invalidCiphertext: (message = "") => new KmsError("InvalidCiphertextException", message),
  invalidImportToken: (message = "Import token is invalid.") => new KmsError("InvalidImportTokenException", message),
  expiredImportToken: () =>
    new KmsError("ExpiredImportTokenException", "The import token has expired. Call GetParametersForImport for a new one."),
  incorrectKeyMaterial: (message: string) => new KmsError("IncorrectKeyMaterialException", message),
  incorrectKey: () =>
    new KmsError("IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation."),
  throttling: () =>
    new KmsError(
      "ThrottlingException",
      "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
    ),
  dependencyTimeout: () =>
    new KmsError(
      "DependencyTimeoutException",
      "The system timed out while trying to fulfill the request. You can retry the request.",
      503,
    ),
  internal: () => new KmsError("KMSInternalException", "An internal error occurred. Retry the request.", 500),
  unknownOperation: () => new KmsError("UnknownOperationException", ""),
};
