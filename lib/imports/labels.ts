import { KIND_LABELS, stateLabel, TOKEN_STATES, type RequestKind, type RequestState } from "./states";

/**
 * How requests read on pages (pure): titles, people, wrapping choices. Shared by the imports, approvals and
 * key pages so a request is described the same way everywhere.
 */

export function personLabel(name: string | null | undefined, subject: string): string {
  return name || subject;
}

export function requestTitle(kind: RequestKind, keyLabel: string): string {
  switch (kind) {
    case "import":
      return `Import into ${keyLabel}`;
    case "rotate":
      return `Rotate ${keyLabel} to new key material`;
    case "delete_material":
      return `Delete the key material of ${keyLabel}`;
  }
}

export function kindLabel(kind: RequestKind): string {
  return KIND_LABELS[kind];
}

export function wrappingLabel(algorithm: string | null, wrappingKeySpec: string | null): string {
  if (!algorithm || !wrappingKeySpec) return "—";
  return `${algorithm} · ${wrappingKeySpec}`;
}

/** Whether the request's token countdown matters now (its parameters can still be used or are being used). */
export function showsCountdown(state: RequestState): boolean {
  return TOKEN_STATES.includes(state);
}

export function labelOf(state: RequestState, kind: RequestKind): string {
  return stateLabel(state, kind);
}

export function expirationLabel(model: string | null, validTo: Date | null): string {
  if (model === "KEY_MATERIAL_DOES_NOT_EXPIRE") return "Does not expire";
  if (model === "KEY_MATERIAL_EXPIRES" && validTo) return `Expires ${validTo.toISOString().slice(0, 10)}`;
  return "—";
}
