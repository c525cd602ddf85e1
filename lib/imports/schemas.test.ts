import { describe, expect, it } from "vitest";
import {
  cancelRequestSchema,
  decisionSchema,
  NO_BLOB,
  downloadParamsSchema,
  importsQuerySchema,
  MAX_BLOB_BYTES,
  requestDeletionSchema,
  startImportSchema,
  uploadBlobSchema,
  validToProblem,
} from "./schemas";

const key = { target: "payments-production", region: "eu-west-1", keyId: "0d9f2b9e-1c2d-4e5f-8a9b-0c1d2e3f4a5b" };
const start = {
  ...key,
  wrappingAlgorithm: "RSAES_OAEP_SHA_256",
  wrappingKeySpec: "RSA_4096",
  expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
  justification: "Initial import of the card data KEK from the payments HSM",
};
const REQUEST = "6f1c1c5e-8d4a-4f43-9b7e-2a5b8c9d0e1f";

function errorsOf(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) {
  return Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));
}

describe("startImportSchema", () => {
  it("accepts a complete request and defaults the kind to import", () => {
    const parsed = startImportSchema.parse(start);
    expect(parsed).toMatchObject({ kind: "import", wrappingAlgorithm: "RSAES_OAEP_SHA_256" });
    expect(parsed.validTo).toBeUndefined();
  });

  it("reads a form: blank optional fields are absent, dates become 00:00 UTC", () => {
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...start, expirationModel: "KEY_MATERIAL_EXPIRES", validTo: "2026-12-31", importType: "" })) form.set(k, v);
    const parsed = startImportSchema.parse(Object.fromEntries(form));
    expect(parsed.validTo?.toISOString()).toBe("2026-12-31T00:00:00.000Z");
    expect(parsed.importType).toBeUndefined();
  });

  it("requires a justification of substance", () => {
    expect(errorsOf(startImportSchema.safeParse({ ...start, justification: "  " }))).toHaveProperty("justification");
    expect(errorsOf(startImportSchema.safeParse({ ...start, justification: "because" })).justification).toMatch(/at least 10 characters/);
    expect(errorsOf(startImportSchema.safeParse({ ...start, justification: "x".repeat(1001) })).justification).toMatch(/under 1000/);
  });

  it("ties ValidTo to the expiration model", () => {
    expect(errorsOf(startImportSchema.safeParse({ ...start, expirationModel: "KEY_MATERIAL_EXPIRES" })).validTo).toMatch(/Give the date/);
    expect(errorsOf(startImportSchema.safeParse({ ...start, validTo: "2026-12-31" })).validTo).toMatch(/does not expire has no ValidTo/);
    expect(errorsOf(startImportSchema.safeParse({ ...start, expirationModel: "KEY_MATERIAL_EXPIRES", validTo: "31/12/2026" })).validTo).toMatch(
      /Give a date that exists, such as/,
    );
  });

  it("refuses unknown algorithms, key specs and malformed key references", () => {
    const errors = errorsOf(startImportSchema.safeParse({ ...start, wrappingAlgorithm: "ROT13", wrappingKeySpec: "RSA_1024", keyId: "alias/x", region: "mars" }));
    expect(Object.keys(errors).sort()).toEqual(["keyId", "region", "wrappingAlgorithm", "wrappingKeySpec"]);
  });
});

describe("validToProblem", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("wants the future, at most 365 days ahead", () => {
    expect(validToProblem(new Date(now), now)).toMatch(/future/);
    expect(validToProblem(new Date(now + 1000), now)).toBeNull();
    expect(validToProblem(new Date(now + 365 * 86_400_000), now)).toBeNull();
    expect(validToProblem(new Date(now + 365 * 86_400_000 + 1), now)).toMatch(/at most 365 days/);
  });
});

describe("the other workflow inputs", () => {
  it("uploads: a non-empty file within KMS's 6,144-byte limit", () => {
    expect(uploadBlobSchema.safeParse({ requestId: REQUEST, file: new Blob([new Uint8Array(512)]) }).success).toBe(true);
    expect(errorsOf(uploadBlobSchema.safeParse({ requestId: REQUEST, file: new Blob([]) })).file).toMatch(/empty/);
    expect(errorsOf(uploadBlobSchema.safeParse({ requestId: REQUEST, file: new Blob([new Uint8Array(MAX_BLOB_BYTES + 1)]) })).file).toMatch(/6,144/);
    expect(errorsOf(uploadBlobSchema.safeParse({ requestId: REQUEST, file: "EncryptedKeyMaterial.bin" })).file).toMatch(/Choose the/);
  });

  it("decisions: a rejection needs a comment, an approval the ticked confirmation, both the reviewed SHA-256", () => {
    const sha = "a".repeat(64);
    expect(decisionSchema.safeParse({ requestId: REQUEST, decision: "approve", blobSha256: sha, confirmed: "on" }).success).toBe(true);
    expect(decisionSchema.safeParse({ requestId: REQUEST, decision: "approve", blobSha256: NO_BLOB, confirmed: true }).success).toBe(true);
    expect(errorsOf(decisionSchema.safeParse({ requestId: REQUEST, decision: "approve", blobSha256: sha })).confirmed).toMatch(/Tick the box/);
    expect(errorsOf(decisionSchema.safeParse({ requestId: REQUEST, decision: "approve", blobSha256: sha, confirmed: "" })).confirmed).toMatch(/Tick the box/);
    expect(errorsOf(decisionSchema.safeParse({ requestId: REQUEST, decision: "approve", confirmed: true })).blobSha256).toMatch(/SHA-256 of the blob you reviewed/);
    expect(errorsOf(decisionSchema.safeParse({ requestId: REQUEST, decision: "reject", blobSha256: sha })).comment).toMatch(/Say why/);
    expect(decisionSchema.safeParse({ requestId: REQUEST, decision: "reject", comment: "wrong key", blobSha256: sha }).success).toBe(true);
    expect(decisionSchema.safeParse({ requestId: REQUEST, decision: "approve", blobSha256: "ABC", confirmed: true }).success).toBe(false);
    expect(decisionSchema.safeParse({ requestId: "not-a-uuid", decision: "approve", blobSha256: sha, confirmed: true }).success).toBe(false);
  });

  it("deletions and cancellations", () => {
    expect(requestDeletionSchema.safeParse({ ...key, justification: "Key retired; material must go" }).success).toBe(true);
    expect(requestDeletionSchema.safeParse({ ...key, justification: "" }).success).toBe(false);
    expect(cancelRequestSchema.parse({ requestId: REQUEST, reason: "" })).toEqual({ requestId: REQUEST, reason: undefined });
  });

  it("download segments name one of the four files", () => {
    expect(downloadParamsSchema.safeParse({ id: REQUEST, file: "ImportToken.bin" }).success).toBe(true);
    expect(downloadParamsSchema.safeParse({ id: REQUEST, file: "../../etc/passwd" }).success).toBe(false);
  });

  it("the list query falls back to the pending view", () => {
    expect(importsQuerySchema.parse({})).toEqual({ view: "pending", state: undefined, page: 1 });
    expect(importsQuerySchema.parse({ view: "all", state: "expired" })).toEqual({ view: "all", state: "expired", page: 1 });
    expect(importsQuerySchema.parse({ view: "bogus", state: "bogus" })).toEqual({ view: "pending", state: undefined, page: 1 });
  });
});
