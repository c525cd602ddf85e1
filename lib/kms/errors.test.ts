import { describe, expect, it, vi } from "vitest";
import { isKeyportError } from "@/lib/errors";
import { isAwsFailure, KmsError, toKmsError, UnexpectedAnswerError, whatHappened } from "./errors";

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

  it("names the operation, the endpoint and the status of an answer that is not AWS's, and does not advise a retry", () => {
    const e = toKmsError(new UnexpectedAnswerError(500, "text/html", { operation: "GetParametersForImport", host: "127.0.0.1:4566" }));
    expect(e.code).toBe("endpoint_unsupported");
    expect(e.message).toBe(
      "The endpoint at 127.0.0.1:4566 answered GetParametersForImport with HTTP 500 and a text/html body that is not an AWS answer: it may not support GetParametersForImport, or something other than AWS answered in its place. Trying again will not help; point Keyport at an endpoint that implements GetParametersForImport (KEYPORT_AWS_ENDPOINT).",
    );
    expect(e.details.retryable).toBe(false);
  });
});

describe("isAwsFailure", () => {
  it("counts AWS's answers and the network path as AWS's", () => {
    expect(isAwsFailure(aws("NotFoundException"))).toBe(true);
    expect(isAwsFailure(Object.assign(new Error("x"), { name: "Unknown", $fault: "server", $metadata: {} }))).toBe(true);
    expect(isAwsFailure(toKmsError(aws("KMSInternalException")))).toBe(true);
    expect(isAwsFailure(new UnexpectedAnswerError(501, null, { operation: "RotateKeyOnDemand" }))).toBe(true);
    expect(isAwsFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(true);
  });

  it("counts Keyport's own failures as Keyport's: database errors, bugs, decoding", () => {
    expect(isAwsFailure(Object.assign(new Error('duplicate key value violates unique constraint "x"'), { code: "23505" }))).toBe(false);
    expect(isAwsFailure(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isAwsFailure(new SyntaxError("Unexpected token"))).toBe(false);
    expect(isAwsFailure("a string")).toBe(false);
    expect(isAwsFailure(null)).toBe(false);
  });
});

describe("whatHappened", () => {
  it("is the first sentence: what happened, without the advice", () => {
    expect(whatHappened(toKmsError(aws("KMSInternalException")))).toBe("AWS KMS had an internal error.");
    expect(whatHappened(toKmsError(aws("AccessDeniedException")))).toBe("The IAM role Keyport assumed is not allowed to do this.");
  });
});

describe("errors made by another bundled copy of the module", () => {
  // Next bundles each route and page on its own: a KMS client kept on globalThis by one throws the KmsError
  // class of its copy of this module, which fails `instanceof` in another. Such an error must still pass
  // through as AWS's answer, not become "unknown" or an internal error.
  it("are still recognised as KmsErrors and KeyportErrors", async () => {
    vi.resetModules();
    const copy = await import("./errors");
    const foreign = new copy.KmsError("access_denied", "AWS refused Keyport's role in this account.", { retryable: false });
    expect(foreign instanceof KmsError).toBe(false);
    expect(toKmsError(foreign)).toBe(foreign);
    expect(isAwsFailure(foreign)).toBe(true);
    expect(isKeyportError(foreign)).toBe(true);
  });
});
