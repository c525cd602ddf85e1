import type { RequestState } from "./states";

/**
 * What the workflow's decisions, runs and verifications answer, as pages and client components show them.
 * Pure, so client components import these types without reaching into the server-only workflow.
 */

export type VerificationResult =
  | { method: "encrypt_decrypt"; ok: true; keyMaterialId: string | null; sameMaterial: boolean | null; at: string }
  | { method: "key_check_value"; ok: true; macAlgorithm: string; message: string; mac: string; at: string }
  | { method: "public_key_fingerprint"; ok: true; sha256: string; publicKeyPem: string; at: string }
  | { method: "encrypt_decrypt" | "key_check_value" | "public_key_fingerprint"; ok: false; code: string; message: string; at: string };

export type ExecutionResult =
  | { ok: true; keyMaterialId: string | null; kmsRequestId: string | null; verification: VerificationResult | null }
  | { ok: false; code: string; message: string; retryable: boolean };

export type DecisionOutcome = {
  state: RequestState;
  approvals: number;
  required: number;
  /** Set when this decision completed the quorum and so carried out the import (or deletion). */
  execution: ExecutionResult | null;
};

/** One Region of a break glass: KMS deleted its material, or refused (its code and sentence). */
export type BreakGlassRegion =
  | { region: string; keyArn: string; outcome: "deleted"; keyMaterialId: string | null }
  | { region: string; keyArn: string; outcome: "failed"; code: string; message: string };

export type BreakGlassOutcome = {
  /** Ties the Regions' `material.break_glass` events (and the notification's dedupe key) to one act. */
  breakGlassId: string;
  regions: BreakGlassRegion[];
  /** Open requests cancelled first, so no approval given before the incident can bring the material back. */
  cancelledRequestIds: string[];
  /** Requests KMS was importing at that moment: they could not be cancelled; check the key when they end. */
  inFlightRequestIds: string[];
};
