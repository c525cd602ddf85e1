import "server-only";
import { recordAccessDenied } from "@/lib/auth/audit-seam";
import type { Role } from "@/lib/config/schema";
import { SecretOpenError } from "@/lib/crypto";
import { isKeyportError } from "@/lib/errors";
import { logInternalError } from "@/lib/errors/internal";
import { isAwsFailure, toKmsError, whatHappened } from "@/lib/kms";
import { familyOf, isKeySpec } from "./compat";
import type { Actor, ImportDeps } from "./deps";
import type { RequestRow } from "./queries";

/**
 * What the workflow says and records when something goes wrong: a failed run of a request told true to what
 * is known (AWS's refusal in AWS's words, Keyport's own failures under a logged reference), and refusals by
 * dual control recorded the way the guards record role refusals.
 */

/**
 * How far a run got: `preparing` (nothing sent to KMS in this run), `sending` (`operation` in flight at KMS),
 * `imported` (ImportKeyMaterial succeeded and is not yet recorded). `keyMaterialId` is the material imported,
 * in this run or (a rotation's retry) an earlier one.
 */
export type Progress = { stage: "preparing" | "sending" | "imported"; operation: string | null; keyMaterialId: string | null };

export type Failure = { code: string; message: string; awsName?: string; kmsRequestId?: string; retryable: boolean; reference?: string };

export function describeFailure(error: unknown, req: RequestRow, progress: Progress): Failure {
  if (error instanceof SecretOpenError) {
    return {
      code: "sealed_secret",
      // The error names the data key id it needed (a fingerprint, not the key), so an administrator can restore it.
      message: `Keyport could not open the stored token or key material: ${error.message} If the data key cannot be restored, reissue the parameters and upload again.`,
      retryable: false,
    };
  }
  const material = progress.keyMaterialId ? ` (key material ${progress.keyMaterialId})` : "";
  if (isAwsFailure(error)) {
    const e = toKmsError(error);
    const aws = { code: e.code, awsName: e.details.awsName, kmsRequestId: e.details.requestId, retryable: e.details.retryable };
    if (req.kind === "rotate" && progress.operation === "RotateKeyOnDemand") {
      // A retryable error's advice ("Nothing was changed; try again") would speak for the import too.
      const why = e.details.retryable ? whatHappened(e) : e.message;
      return {
        ...aws,
        message: `The new key material was imported into AWS KMS${material}, but the rotation to it did not run: ${why} The key still uses its previous key material. A retry runs only the rotation (RotateKeyOnDemand); it does not import the material again.`,
      };
    }
    return { ...aws, message: e.message };
  }
  if (isKeyportError(error) && progress.stage === "preparing") return { code: error.code, message: error.message, retryable: false };

  const where = `${progress.stage}${progress.operation ? ` ${progress.operation}` : ""}`;
  const reference = logInternalError("imports", `while carrying out request ${req.id} (${where})`, error);
  if (progress.stage === "preparing") {
    const unchanged =
      req.kind === "delete_material"
        ? "nothing was deleted"
        : req.kind === "rotate" && progress.keyMaterialId
          ? `the key was not rotated to the imported material${material}`
          : "nothing was imported";
    return {
      code: "internal",
      message: `Keyport hit an internal error (ref ${reference}) before calling AWS KMS, so ${unchanged}. Retry; if it happens again, give your administrator the reference.`,
      retryable: true,
      reference,
    };
  }
  if (progress.stage === "imported") {
    return {
      code: "internal",
      message: `AWS KMS imported the key material${material}, but Keyport hit an internal error (ref ${reference}) while recording it${req.kind === "rotate" ? ", so the rotation to it did not run" : ""}. Check the key's material history on its page before doing anything else, and give your administrator the reference.`,
      retryable: false,
      reference,
    };
  }
  return {
    code: "internal",
    message: `Keyport hit an internal error (ref ${reference}) while ${progress.operation ?? "the request"} was under way, so it is not known whether AWS KMS carried it out. ${req.kind === "delete_material" ? "Check the key page before retrying" : "A retry first asks AWS KMS what the key holds and does not import again what it finds"}; give your administrator the reference.`,
    retryable: false,
    reference,
  };
}

export function verificationMethodOf(keySpec: string): "encrypt_decrypt" | "key_check_value" | "public_key_fingerprint" {
  const family = isKeySpec(keySpec) ? familyOf(keySpec) : "SYMMETRIC";
  return family === "SYMMETRIC" ? "encrypt_decrypt" : family === "HMAC" ? "key_check_value" : "public_key_fingerprint";
}

/** A verification that could not run (Keyport's failure, not the key's): logged, and said with its reference. */
export function verificationUnavailable(requestId: string, keySpec: string, at: Date, error: unknown, when: string) {
  const reference = logInternalError("imports", `while verifying request ${requestId} ${when}`, error);
  return {
    method: verificationMethodOf(keySpec),
    ok: false as const,
    code: "verification_unavailable",
    message: `Verification could not run (ref ${reference}). Verify again from the request page; if it keeps failing, give your administrator the reference.`,
    at: at.toISOString(),
  };
}

/** Set inside a transaction when dual control refuses the actor, and recorded once it has rolled back. */
export type SelfApproval = { role?: "requester" | "uploader"; decision?: "approve" | "reject" | "retry" };

/** Rethrows `error`, first recording a dual-control refusal the way the guards record role refusals. */
export async function recordSelfApproval(deps: ImportDeps, actor: Actor, requestId: string, refusal: SelfApproval, error: unknown): Promise<never> {
  if (refusal.role && refusal.decision) {
    const user = { id: actor.subject, name: actor.name ?? actor.subject, email: actor.email, roles: actor.roles as Role[] };
    await recordAccessDenied(user, { kind: "dual_control", name: refusal.decision, permission: "imports.approve", requestId, role: refusal.role }, deps.db);
  }
  throw error;
}
