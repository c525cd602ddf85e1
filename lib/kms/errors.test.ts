import { describe, expect, it } from "vitest";
import { KmsError, toKmsError } from "./errors";

function aws(name: string, message = "", status = 400) {
  return Object.assign(new Error(message), { name, $metadata: { requestId: "req-123", httpStatusCode: status } });
}

describe("toKmsError", () => {
  it.each([
    ["NotFoundException", "not_found", false],
    ["InvalidArnException", "invalid_arn", false],
    ["UnsupportedOperationException", "unsupported_operation", false],
    ["DependencyTimeoutException", "dependency_timeout", true],
    ["KMSInternalException", "kms_internal", true],
    ["ThrottlingException", "throttled", true],
    ["ExpiredImportTokenException", "import_token_expired", false],
    ["InvalidImportTokenException", "import_token_invalid", false],
    ["IncorrectKeyMaterialException", "incorrect_key_material", false],
    ["InvalidCiphertextException", "invalid_ciphertext", false],
    ["AccessDeniedException", "access_denied", false],
    ["AccessDenied", "access_denied", false],
    ["ExpiredTokenException", "credentials_expired", true],
    ["UnrecognizedClientException", "credentials_invalid", false],
    ["InvalidSignatureException", "credentials_invalid", false],
    ["DisabledException", "disabled", false],
    ["LimitExceededException", "limit_exceeded", false],
  ])("maps %s to %s", (name, code, retryable) => {
    const e = toKmsError(aws(name, "detail"));
    expect(e).toBeInstanceOf(KmsError);
    expect(e.code).toBe(code);
    expect(e.details.retryable).toBe(retryable);
    expect(e.details.requestId).toBe("req-123");
    expect(e.details.awsName).toBe(name);
    // Every sentence says what to do, not only what happened.
    expect(e.message.length).toBeGreaterThan(30);
    expect(e.message).not.toContain("detail");
  });

  it("tells a key pending deletion apart from other invalid states", () => {
    expect(toKmsError(aws("KMSInvalidStateException", "arn:aws:kms:eu-west-1:1:key/k is pending deletion.")).message).toBe(
      "This key is scheduled for deletion; cancel the deletion before importing.",
    );
    expect(toKmsError(aws("KMSInvalidStateException", "arn is disabled")).message).toMatch(/not in a state/);
  });

  it("keeps the AWS validation message, which names the field", () => {
    const e = toKmsError(aws("ValidationException", "ValidTo must be in the future"));
    expect(e.code).toBe("validation");
    expect(e.message).toContain("ValidTo must be in the future");
  });

  it("recognises network failures", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4599"), { code: "ECONNREFUSED" });
    expect(toKmsError(refused).code).toBe("network");
    expect(toKmsError(Object.assign(new Error("x"), { name: "TimeoutError" })).code).toBe("network");
  });

  it("does not guess at unknown errors, and leaks nothing of them", () => {
    const e = toKmsError(aws("SomethingNewException", "internal detail", 500));
    expect(e.code).toBe("unknown");
    expect(e.details.retryable).toBe(true);
    expect(e.message).not.toContain("internal detail");
    expect(toKmsError("a string").code).toBe("unknown");
  });

  it("passes an already-mapped error through", () => {
    const e = toKmsError(aws("NotFoundException"));
    expect(toKmsError(e)).toBe(e);
  });
});
