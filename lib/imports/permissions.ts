import { can, type Permission } from "@/lib/auth/permissions";
import { ROLES, type Role } from "@/lib/config/schema";
import { KeyportError } from "@/lib/errors";
import { alreadyDecided, notAllowedInState, notDownloadable, parametersExpired, selfApproval } from "./errors";
import { canDo, onlyRotationLeft, TOKEN_STATES, type RequestKind, type RequestState } from "./states";

/**
 * Who may do what to one import request, right now, and what the next step is: the one answer that the
 * request page shows and that lib/imports/workflow.ts enforces (it builds the same facts inside its
 * transaction, after locking the row, and throws the refusal given here). So the screen cannot offer what the
 * server refuses, nor refuse what it would accept.
 *
 * Roles are checked here as well as by the action and route wrappers of lib/auth: the page uses them to hide
 * what a person cannot do, and the workflow then refuses the same way whoever calls it.
 *
 * Pure (no server-only, no clock: `now` is a fact like the others).
 */

export type RequestFacts = {
  kind: RequestKind;
  /** The state as stored. A token state whose token has passed ParametersValidTo counts as expired here. */
  state: RequestState;
  requestedBySubject: string;
  wrappingAlgorithm: string | null;
  wrappingKeySpec: string | null;
  keyMaterialId: string | null;
  lastErrorCode: string | null;
  /** ParametersValidTo of the current parameters; null when there are none. */
  parametersValidTo: Date | null;
  /** The current upload, if any. */
  blob: { id: string; uploadedBySubject: string } | null;
  approvals: ReadonlyArray<{ approverSubject: string; decision: string; wrappedBlobId: string | null }>;
  approvalsRequired: number;
  now: number;
};

export type Person = { id: string; roles: readonly string[] };

export type Verdict = { allowed: true } | { allowed: false; error: KeyportError };

export type RequestPermissions = {
  /** The state a person should be shown: `expired` once a token state's token has run out. */
  effectiveState: RequestState;
  /** The current token can still be used with KMS. */
  tokenLive: boolean;
  /** A rotation whose new material is imported: only RotateKeyOnDemand is left, no token is needed. */
  rotationOnly: boolean;
  /** Approvals that count: of the current upload (or, for a deletion, of the request). */
  currentApprovals: number;
  download: Verdict;
  upload: Verdict;
  approve: Verdict;
  reject: Verdict;
  retry: Verdict;
  reissue: Verdict;
  cancel: Verdict;
  /** Verify the imported material again with KMS. */
  verify: Verdict;
  /** One sentence: what happens next, and who does it (this person, when they can). Null once closed. */
  nextStep: string | null;
};

const ALLOWED: Verdict = { allowed: true };
const refuse = (error: KeyportError): Verdict => ({ allowed: false, error });

/** Failures that come from the uploaded bytes themselves: the material must be wrapped and uploaded again. */
const REWRAP_CODES: ReadonlySet<string> = new Set(["invalid_ciphertext", "incorrect_key_material", "import_token_invalid", "sealed_secret"]);

type RolePermission = Permission & ("imports.download" | "imports.request" | "imports.approve" | "imports.verify" | "imports.manage");
const ROLE_NEEDS: Record<RolePermission, string> = {
  "imports.download": "Only custodians and admins download import parameters.",
  "imports.request": "Only custodians and admins change an import request.",
  "imports.approve": "Only approvers and admins decide on imports.",
  "imports.verify": "Only custodians, approvers and admins verify imported key material; it calls AWS KMS.",
  "imports.manage": "Only admins change a request someone else started.",
};

function holds(person: Person, permission: keyof typeof ROLE_NEEDS): Verdict {
  const roles = person.roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  return can(roles, permission) ? ALLOWED : refuse(new KeyportError("forbidden", ROLE_NEEDS[permission], { status: 403 }));
}

/**
 * The requester of a draft Keyport opened on a schedule (lib/schedules): the same subject the audit trail
 * gives the system. Such a draft belongs to every custodian alike, since no person asked for it.
 */
export const KEYPORT_SUBJECT = "keyport";

/**
 * Reissuing and cancelling belong to the requester, or an admin (or, for a draft Keyport opened on a
 * schedule, to any custodian). Not to the uploader: a reissue discards their
 * upload and its approvals, and cancelling ends the request — the uploader can already replace their own
 * upload, and has no need to end a request that is someone else's to answer for.
 */
function owns(f: RequestFacts, person: Person, action: "cancel" | "reissue"): Verdict {
  if (person.id === f.requestedBySubject || f.requestedBySubject === KEYPORT_SUBJECT || holds(person, "imports.manage").allowed) return ALLOWED;
  const what = action === "cancel" ? "cancel it" : "get it new import parameters";
  return refuse(new KeyportError("forbidden", `Only the person who requested it, or an admin, can ${what}.`, { status: 403 }));
}

function rotationOnly(f: RequestFacts): boolean {
  return onlyRotationLeft(f.kind, f.keyMaterialId);
}

function tokenLive(f: RequestFacts): boolean {
  return f.parametersValidTo !== null && f.parametersValidTo.getTime() > f.now;
}

export function effectiveState(f: RequestFacts): RequestState {
  const watched = TOKEN_STATES.includes(f.state) && f.kind !== "delete_material" && !rotationOnly(f);
  return watched && f.parametersValidTo !== null && !tokenLive(f) ? "expired" : f.state;
}

function expiredError(f: RequestFacts): KeyportError {
  return parametersExpired(f.parametersValidTo);
}

function spentTokenError(): KeyportError {
  return new KeyportError(
    "invalid_state",
    "The new key material is already imported and waits only for the rotation: retry to rotate the key to it, or cancel the request. New parameters would import a second material.",
    { status: 409 },
  );
}

function selfRole(f: RequestFacts, person: Person): "requester" | "uploader" | null {
  if (person.id === f.requestedBySubject) return "requester";
  if (f.kind !== "delete_material" && f.blob && person.id === f.blob.uploadedBySubject) return "uploader";
  return null;
}

export function countingApprovals(f: RequestFacts): number {
  const blobId = f.kind === "delete_material" ? null : (f.blob?.id ?? null);
  return f.approvals.filter((a) => a.decision === "approve" && a.wrappedBlobId === blobId).length;
}

/** WrappingPublicKey.bin/.pem, ImportToken.bin and the zip: while the token lives and the request can still use it. */
export function mayDownload(f: RequestFacts, person: Person): Verdict {
  const role = holds(person, "imports.download");
  if (!role.allowed) return role;
  const state = effectiveState(f);
  if (state === "expired") return refuse(expiredError(f));
  if (rotationOnly(f) && state === "failed") return refuse(spentTokenError());
  const usable = state === "parameters_issued" || state === "awaiting_approval" || state === "failed";
  if (f.kind === "delete_material" || !f.parametersValidTo || !usable) return refuse(notDownloadable(f.kind, f.state));
  return ALLOWED;
}

/** EncryptedKeyMaterial.bin: a first upload, a replacement, or — after a failed import — a new one. */
export function mayUpload(f: RequestFacts, person: Person): Verdict {
  const role = holds(person, "imports.request");
  if (!role.allowed) return role;
  const state = effectiveState(f);
  if (state === "expired") return refuse(expiredError(f));
  if (rotationOnly(f)) return refuse(spentTokenError());
  if (!canDo(f.kind, state, "upload") || !f.parametersValidTo) return refuse(notAllowedInState(f.kind, f.state, "take an upload"));
  return ALLOWED;
}

export function mayDecide(f: RequestFacts, person: Person, decision: "approve" | "reject"): Verdict {
  const role = holds(person, "imports.approve");
  if (!role.allowed) return role;
  const state = effectiveState(f);
  if (state === "expired") return refuse(expiredError(f));
  if (state !== "awaiting_approval") return refuse(notAllowedInState(f.kind, f.state, decision === "approve" ? "be approved" : "be rejected"));
  if (f.kind !== "delete_material" && (!f.blob || !f.parametersValidTo)) return refuse(notAllowedInState(f.kind, f.state, "be approved"));
  const self = selfRole(f, person);
  if (self) return refuse(selfApproval(self, decision));
  const blobId = f.kind === "delete_material" ? null : (f.blob?.id ?? null);
  if (f.approvals.some((a) => a.approverSubject === person.id && a.wrappedBlobId === blobId)) return refuse(alreadyDecided());
  return ALLOWED;
}

/** Runs a failed import (or deletion) again: the same blob, the same approvals, while the token lives. */
export function mayRetry(f: RequestFacts, person: Person): Verdict {
  const role = holds(person, "imports.approve");
  if (!role.allowed) return role;
  const state = effectiveState(f);
  if (state === "expired") return refuse(expiredError(f));
  if (!canDo(f.kind, state, "retry")) return refuse(notAllowedInState(f.kind, f.state, "be retried"));
  if (f.kind !== "delete_material" && (!f.blob || !f.parametersValidTo)) return refuse(notAllowedInState(f.kind, f.state, "be retried"));
  const self = selfRole(f, person);
  if (self) return refuse(selfApproval(self, "retry"));
  if (countingApprovals(f) < f.approvalsRequired) return refuse(notAllowedInState(f.kind, f.state, "be retried before it has its approvals"));
  return ALLOWED;
}

/** New parameters (first ones, or a reissue that supersedes the pair and any blob wrapped with it). */
export function mayReissue(f: RequestFacts, person: Person): Verdict {
  const role = holds(person, "imports.request");
  if (!role.allowed) return role;
  const own = owns(f, person, "reissue");
  if (!own.allowed) return own;
  if (!canDo(f.kind, f.state, "issue_parameters") || !f.wrappingAlgorithm || !f.wrappingKeySpec) {
    return refuse(notAllowedInState(f.kind, f.state, "be given new import parameters"));
  }
  if (rotationOnly(f)) return refuse(spentTokenError());
  return ALLOWED;
}

export function mayCancel(f: RequestFacts, person: Person): Verdict {
  const role = holds(person, "imports.request");
  if (!role.allowed) return role;
  const own = owns(f, person, "cancel");
  if (!own.allowed) return own;
  if (!canDo(f.kind, f.state, "cancel")) return refuse(notAllowedInState(f.kind, f.state, "be cancelled"));
  return ALLOWED;
}

/** Verification again: KMS calls with the imported material, once it is imported. */
export function mayVerify(f: RequestFacts, person: Person): Verdict {
  const role = holds(person, "imports.verify");
  if (!role.allowed) return role;
  if (f.kind === "delete_material" || f.state !== "imported") return refuse(notAllowedInState(f.kind, f.state, "be verified"));
  return ALLOWED;
}

function plural(n: number, word: string): string {
  return `${n} more ${word}${n === 1 ? "" : "s"}`;
}

/** The one sentence the request page leads with: the step that is next, said to this person when it is theirs. */
export function nextStep(f: RequestFacts, person: Person, p: Omit<RequestPermissions, "nextStep"> = answers(f, person)): string | null {
  const state = p.effectiveState;
  const deletion = f.kind === "delete_material";
  const missing = Math.max(0, f.approvalsRequired - p.currentApprovals);
  switch (state) {
    case "draft":
      return p.reissue.allowed
        ? "Get the import parameters (a wrapping public key and an import token from AWS KMS)."
        : "The requester (or an admin) gets the import parameters (a wrapping public key and an import token from AWS KMS).";
    case "parameters_issued":
      return p.upload.allowed
        ? "Download the parameters, wrap the key material offline with the commands below, and upload EncryptedKeyMaterial.bin before the countdown reaches zero."
        : "A custodian downloads the parameters, wraps the key material offline and uploads EncryptedKeyMaterial.bin before the countdown reaches zero.";
    case "awaiting_approval":
      if (p.approve.allowed) {
        return deletion
          ? "Confirm with the requester out of band that this key material is to be deleted, then approve or reject."
          : "Compare the uploaded blob's SHA-256 with the uploader out of band (phone, in person), then approve or reject.";
      }
      if (!p.approve.allowed && p.approve.error.code === "already_decided") {
        return `Your decision is recorded; ${plural(missing, "approval")} from someone who neither requested nor uploaded it ${missing === 1 ? "is" : "are"} needed.`;
      }
      return `An approver who neither requested nor uploaded it ${deletion ? "confirms the deletion" : "compares the blob's SHA-256 with the uploader"} and decides (${plural(missing, "approval")} needed).`;
    case "importing":
      return `Keyport is ${deletion ? "deleting the key material" : "importing"} now; this page updates when AWS KMS answers.`;
    case "failed":
      if (deletion) return p.retry.allowed ? "Retry the deletion as you, or have the requester or an admin cancel the request." : "An approver who did not request it retries the deletion, or the requester or an admin cancels the request.";
      if (p.rotationOnly) {
        return p.retry.allowed
          ? "Retry as you: the new key material is in KMS, and a retry only rotates the key to it."
          : "An approver who neither requested nor uploaded it retries, which only rotates the key to the imported material; or the requester or an admin cancels.";
      }
      if (REWRAP_CODES.has(f.lastErrorCode ?? "") || !p.retry.allowed) {
        return p.upload.allowed
          ? "Download the parameters again and wrap the material with this request's WrappingPublicKey.bin, then upload it; a fresh approval is needed."
          : "A custodian downloads the parameters again, wraps the material with this request's WrappingPublicKey.bin and uploads it; then a fresh approval is needed.";
      }
      return "Retry as you once the cause is dealt with (the approvals still stand), or have a custodian upload newly wrapped material, which needs a fresh approval.";
    case "expired":
      return p.reissue.allowed
        ? "Reissue the parameters and wrap the material again with the new public key, or cancel the request."
        : "The requester (or an admin) reissues the parameters, then the material is wrapped again with the new public key; or they cancel the request.";
    case "imported":
    case "rejected":
    case "cancelled":
      return null;
  }
}

function answers(f: RequestFacts, person: Person): Omit<RequestPermissions, "nextStep"> {
  return {
    effectiveState: effectiveState(f),
    tokenLive: tokenLive(f),
    rotationOnly: rotationOnly(f),
    currentApprovals: countingApprovals(f),
    download: mayDownload(f, person),
    upload: mayUpload(f, person),
    approve: mayDecide(f, person, "approve"),
    reject: mayDecide(f, person, "reject"),
    retry: mayRetry(f, person),
    reissue: mayReissue(f, person),
    cancel: mayCancel(f, person),
    verify: mayVerify(f, person),
  };
}

/** Everything at once, for a page. */
export function permissionsFor(f: RequestFacts, person: Person): RequestPermissions {
  const p = answers(f, person);
  return { ...p, nextStep: nextStep(f, person, p) };
}

/**
 * The facts from the rows the workflow and the pages read (same column names), so both build them alike.
 */
export function requestFacts(
  rows: {
    request: Pick<RequestFacts, "kind" | "state" | "requestedBySubject" | "wrappingAlgorithm" | "wrappingKeySpec" | "keyMaterialId" | "lastErrorCode">;
    parameters: { parametersValidTo: Date } | null;
    blob: { id: string; uploadedBySubject: string } | null;
    approvals: RequestFacts["approvals"];
  },
  policy: { approvalsRequired: number; now: number },
): RequestFacts {
  const { request } = rows;
  return {
    kind: request.kind,
    state: request.state,
    requestedBySubject: request.requestedBySubject,
    wrappingAlgorithm: request.wrappingAlgorithm,
    wrappingKeySpec: request.wrappingKeySpec,
    keyMaterialId: request.keyMaterialId,
    lastErrorCode: request.lastErrorCode,
    parametersValidTo: rows.parameters?.parametersValidTo ?? null,
    blob: rows.blob ? { id: rows.blob.id, uploadedBySubject: rows.blob.uploadedBySubject } : null,
    approvals: rows.approvals,
    approvalsRequired: policy.approvalsRequired,
    now: policy.now,
  };
}

/** How the decision panel shows a refused decision: already decided, or the refusal in the server's words. */
export function decisionPanelState(verdict: Verdict): { refusal: string | null; decided: boolean } {
  if (verdict.allowed) return { refusal: null, decided: false };
  if (verdict.error.code === "already_decided") return { refusal: null, decided: true };
  return { refusal: verdict.error.message, decided: false };
}
