import { IMPORT_REQUEST_KINDS, IMPORT_REQUEST_STATES } from "@/lib/db/enums";

/**
 * The import request state machine (lib/imports/README.md, "States"), as data. lib/imports/workflow.ts asks
 * `transition()` before every change and then makes the change with a conditional UPDATE on the state it
 * saw, so the table here and the database agree on what may happen.
 *
 * Pure (no server-only): pages use the labels, tones and `canDo` to decide which buttons to show.
 */

export const REQUEST_STATES = IMPORT_REQUEST_STATES;
export type RequestState = (typeof REQUEST_STATES)[number];

export const REQUEST_KINDS = IMPORT_REQUEST_KINDS;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** What someone (or the expiry sweep) can do to a request. */
export type RequestEvent =
  | "issue_parameters" // first GetParametersForImport, or a reissue (new pair; the old one is superseded)
  | "upload" // EncryptedKeyMaterial.bin (replaces an earlier upload; approvals of the old blob stop counting)
  | "reach_quorum" // the approval that meets the quorum: awaiting_approval → importing, exactly once
  | "reject"
  | "succeed" // the KMS call succeeded
  | "fail" // the KMS call failed
  | "retry" // failed → importing again, while the token lives
  | "expire" // the import token passed ParametersValidTo
  | "cancel";

/** from → event → to. Anything not listed is refused. */
const TRANSITIONS: Record<RequestState, Partial<Record<RequestEvent, RequestState>>> = {
  draft: { issue_parameters: "parameters_issued", cancel: "cancelled" },
  parameters_issued: { issue_parameters: "parameters_issued", upload: "awaiting_approval", expire: "expired", cancel: "cancelled" },
  awaiting_approval: {
    issue_parameters: "parameters_issued",
    upload: "awaiting_approval",
    reach_quorum: "importing",
    reject: "rejected",
    expire: "expired",
    cancel: "cancelled",
  },
  importing: { succeed: "imported", fail: "failed" },
  // While its token lives, a failed import takes a new upload (the material wrapped again): it then needs a
  // fresh approval, since approvals are bound to the blob. lib/imports/permissions.ts checks the token.
  failed: { retry: "importing", upload: "awaiting_approval", issue_parameters: "parameters_issued", expire: "expired", cancel: "cancelled" },
  expired: { issue_parameters: "parameters_issued", cancel: "cancelled" },
  imported: {},
  rejected: {},
  cancelled: {},
};

/**
 * Events that need import parameters: a deletion request has none (it goes from draft straight to
 * awaiting_approval when it is made, and its approval deletes instead of importing).
 */
const PARAMETER_EVENTS: ReadonlySet<RequestEvent> = new Set(["issue_parameters", "upload", "expire"]);

export function nextState(kind: RequestKind, from: RequestState, event: RequestEvent): RequestState | null {
  if (kind === "delete_material" && PARAMETER_EVENTS.has(event)) return null;
  return TRANSITIONS[from][event] ?? null;
}

export function canDo(kind: RequestKind, state: RequestState, event: RequestEvent): boolean {
  return nextState(kind, state, event) !== null;
}

/** States with nothing left to do. (`expired` is not one: the custodian can reissue parameters or close it.) */
export const FINAL_STATES: readonly RequestState[] = ["imported", "rejected", "cancelled"];
export function isFinal(state: RequestState): boolean {
  return FINAL_STATES.includes(state);
}

/** States whose import token is still in play: downloads are served and the sweep watches the clock. */
export const TOKEN_STATES: readonly RequestState[] = ["parameters_issued", "awaiting_approval", "failed"];

/** Open = not final: what the keys table shows as "the open import request". */
export const OPEN_STATES: readonly RequestState[] = REQUEST_STATES.filter((s) => !isFinal(s));

export function isRequestState(value: unknown): value is RequestState {
  return typeof value === "string" && (REQUEST_STATES as readonly string[]).includes(value);
}

export const KIND_LABELS: Record<RequestKind, string> = {
  import: "Import",
  delete_material: "Delete key material",
  rotate: "Rotation (new key material)",
};

/** How a state reads, per kind: a deletion "importing" is deleting. */
export function stateLabel(state: RequestState, kind: RequestKind = "import"): string {
  if (kind === "delete_material") {
    if (state === "importing") return "Deleting";
    if (state === "imported") return "Deleted";
  }
  if (kind === "rotate" && state === "imported") return "Imported and rotated";
  return STATE_LABELS[state];
}

export const STATE_LABELS: Record<RequestState, string> = {
  draft: "Draft",
  parameters_issued: "Parameters issued",
  awaiting_approval: "Awaiting approval",
  importing: "Importing",
  imported: "Imported",
  failed: "Failed",
  rejected: "Rejected",
  expired: "Expired",
  cancelled: "Cancelled",
};

/**
 * A rotation whose ImportKeyMaterial succeeded and whose RotateKeyOnDemand failed (it has a KeyMaterialId
 * but did not finish): the new material is in KMS, pending rotation, and only the rotate step is left. Its
 * token is spent, so it neither expires nor takes new parameters (that would import a second material);
 * a retry rotates, or it is cancelled.
 */
export function onlyRotationLeft(kind: RequestKind, keyMaterialId: string | null): boolean {
  return kind === "rotate" && keyMaterialId !== null;
}

/**
 * The state a request is in at `nowMs`, whether or not the change has been written yet: a request holding a
 * token whose ParametersValidTo has passed is `expired`. Reads show this (and never write it); the sweep
 * and the next state-changing action record the expiry, once (workflow.ts `expireDue`).
 */
export function effectiveState(
  request: { kind: RequestKind; state: RequestState; keyMaterialId: string | null },
  parametersValidTo: Date | null,
  nowMs: number,
): RequestState {
  if (!parametersValidTo || parametersValidTo.getTime() > nowMs) return request.state;
  if (!canDo(request.kind, request.state, "expire") || onlyRotationLeft(request.kind, request.keyMaterialId)) return request.state;
  return "expired";
}
