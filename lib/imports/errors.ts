import { KeyportError } from "@/lib/errors";
import { canDo, stateLabel, type RequestKind, type RequestState } from "./states";

/**
 * The workflow's known refusals: stable codes the UI and tests match on, sentences a person can act on,
 * and the HTTP status a route handler answers with. Pure.
 */

export function requestNotFound(): KeyportError {
  return new KeyportError("not_found", "There is no such import request, or it no longer exists.", { status: 404 });
}

export function sessionNotFound(): KeyportError {
  return new KeyportError("not_found", "There is no such multi-Region import session, or it no longer exists.", { status: 404 });
}

export function keyNotFound(): KeyportError {
  return new KeyportError("key_not_found", "This key is not in Keyport's inventory of EXTERNAL keys. Refresh the inventory and try again.", {
    status: 404,
  });
}

export function changedMeanwhile(): KeyportError {
  return new KeyportError("conflict", "The request changed while you were acting on it (someone else acted first). Reload the page to see its current state.", {
    status: 409,
  });
}

export function notAllowedInState(kind: RequestKind, state: RequestState, what: string): KeyportError {
  return new KeyportError("invalid_state", `This request is ${stateLabel(state, kind).toLowerCase()}, so it cannot ${what}. Reload the page to see what can be done now.`, {
    status: 409,
  });
}

export function parametersExpired(validTo: Date | null): KeyportError {
  const when = validTo ? ` at ${validTo.toISOString().replace(/\.\d{3}Z$/, "Z")}` : "";
  return new KeyportError(
    "parameters_expired",
    `The import parameters expired${when}: KMS refuses the token now, so Keyport no longer hands out these files or accepts uploads for them. Reissue the parameters and wrap the material again with the new public key.`,
    { status: 410 },
  );
}

export function notDownloadable(kind: RequestKind, state: RequestState): KeyportError {
  // Advise a reissue only where one is possible: not on a closed request, nor one being carried out.
  const after = canDo(kind, state, "issue_parameters") ? " Reissue the parameters to get a new pair." : "";
  return new KeyportError("gone", `This request is ${stateLabel(state, kind).toLowerCase()}: its import parameters are no longer handed out.${after}`, {
    status: 410,
  });
}

export function selfApproval(role: "requester" | "uploader", decision: "approve" | "reject" | "retry"): KeyportError {
  const did = role === "requester" ? "You started this request" : "You uploaded the key material for this request";
  const message =
    decision === "reject"
      ? `${did}, so you cannot reject it. If it should not go ahead, cancel it instead.`
      : decision === "retry"
        ? `${did}, so you cannot run its import. Dual control needs a second person: another approver must retry it.`
        : `${did}, so you cannot approve it. Dual control needs a second person: another approver must approve it.`;
  return new KeyportError("self_approval", message, { status: 403 });
}

export function alreadyDecided(): KeyportError {
  return new KeyportError("already_decided", "You have already decided on this upload. Another approver must add theirs.", { status: 409 });
}

export function keyBusy(requestId: string): KeyportError {
  return new KeyportError(
    "key_busy",
    `This key already has an open request (${requestId}). Finish or cancel it before starting another.`,
    { status: 409 },
  );
}

export function invalidChoice(field: string, message: string): KeyportError {
  return new KeyportError("invalid_input", message, { status: 422, fieldErrors: { [field]: [message] } });
}
