import "server-only";
import { randomBytes } from "node:crypto";
import { appendAuditStandalone } from "@/lib/audit";
import { sha256Hex } from "@/lib/crypto";
import { isAwsFailure, toKmsError } from "@/lib/kms";
import { decrypt, encrypt, generateMac, getPublicKey } from "@/lib/kms/operations";
import { KCV_MESSAGE, macAlgorithmFor } from "../commands";
import { familyOf } from "../compat";
import type { Actor, ImportDeps } from "../deps";
import { verificationMethodOf, verificationUnavailable } from "../failures";
import { requestNotFound } from "../errors";
import { mayVerify } from "../permissions";
import * as queries from "../queries";
import { asKeySpec, auditActor, enforce, factsOf, keyFields, personOf, principal, sessionNameOf } from "./shared";
import { publicKeyPem } from "./custodian";

/**
 * Proving that the key holds the material that was imported: a round trip, a MAC or the public key,
 * recorded in the audit trail.
 */

// --- verification -------------------------------------------------------------------------------------------

export type { VerificationResult } from "../outcomes";
import type { VerificationResult } from "../outcomes";

/**
 * Verification after an import (lib/imports/README.md, "States", step 5), as `actor`: an Encrypt/Decrypt round trip for symmetric keys, a key check value
 * (GenerateMac over KCV_MESSAGE) for HMAC keys, the SHA-256 fingerprint of the public key KMS reports for
 * asymmetric keys. The result is audited (`import.verified`) and returned.
 */
export async function verifyImport(deps: ImportDeps, actor: Actor, requestId: string): Promise<VerificationResult> {
  const req = await queries.getRequest(deps.db, requestId);
  if (!req) throw requestNotFound();
  enforce(mayVerify(await factsOf(deps.db, deps, req, deps.now()), personOf(actor)));
  const keySpec = asKeySpec(req.keySpec);
  const family = familyOf(keySpec);
  const method = verificationMethodOf(keySpec);
  const client = deps.kms.kms(req.targetId, req.region, principal(actor));
  const at = deps.now();
  let result: VerificationResult;
  let kmsRequestId: string | undefined;
  try {
    if (family === "SYMMETRIC") {
      const probe = randomBytes(32);
      const context = { "keyport:verification": req.id };
      const sealed = await encrypt(client, { keyArn: req.keyArn, plaintext: probe, encryptionContext: context });
      const opened = await decrypt(client, { keyArn: req.keyArn, ciphertext: sealed.ciphertext, encryptionContext: context });
      kmsRequestId = opened.requestId;
      result = opened.plaintext.equals(probe)
        ? {
            method: "encrypt_decrypt",
            ok: true,
            keyMaterialId: opened.keyMaterialId,
            sameMaterial: opened.keyMaterialId && req.keyMaterialId ? opened.keyMaterialId === req.keyMaterialId : null,
            at: at.toISOString(),
          }
        : {
            method: "encrypt_decrypt",
            ok: false,
            code: "round_trip_mismatch",
            message: "AWS KMS decrypted to other bytes than it encrypted. Do not use this key; check its key material history.",
            at: at.toISOString(),
          };
    } else if (family === "HMAC") {
      const macAlgorithm = macAlgorithmFor(keySpec)!;
      const out = await generateMac(client, { keyArn: req.keyArn, message: Buffer.from(KCV_MESSAGE, "ascii"), macAlgorithm });
      kmsRequestId = out.requestId;
      result = { method: "key_check_value", ok: true, macAlgorithm, message: KCV_MESSAGE, mac: out.mac.toString("hex"), at: at.toISOString() };
    } else {
      const out = await getPublicKey(client, req.keyArn);
      kmsRequestId = out.requestId;
      result = { method: "public_key_fingerprint", ok: true, sha256: sha256Hex(out.publicKey), publicKeyPem: publicKeyPem(out.publicKey), at: at.toISOString() };
    }
  } catch (error) {
    if (isAwsFailure(error)) {
      const e = toKmsError(error);
      kmsRequestId = e.details.requestId;
      result = { method, ok: false, code: e.code, message: e.message, at: at.toISOString() };
    } else {
      result = verificationUnavailable(req.id, req.keySpec, at, error, "during its checks");
    }
  }
  const { publicKeyPem: _pem, ...recorded } = result as VerificationResult & { publicKeyPem?: string };
  void _pem; // The fingerprint identifies the public key; the PEM itself is re-derivable and would bloat the trail.
  await appendAuditStandalone(deps.db, {
    action: "import.verified",
    actor: auditActor(actor),
    at,
    ...keyFields(req),
    kmsRequestId,
    details: { ...recorded, sessionName: sessionNameOf(actor) },
  });
  return result;
}
