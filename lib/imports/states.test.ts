import { describe, expect, it } from "vitest";
import { canDo, effectiveState, isFinal, nextState, REQUEST_STATES, stateLabel, type RequestEvent, type RequestKind, type RequestState } from "./states";

const EVENTS: RequestEvent[] = ["issue_parameters", "upload", "reach_quorum", "reject", "succeed", "fail", "retry", "expire", "cancel"];

/** The diagram of lib/imports/README.md, edge by edge (plus reissue from failed, re-upload while awaiting approval or after a failure). */
const ALLOWED: Array<[RequestState, RequestEvent, RequestState]> = [
  ["draft", "issue_parameters", "parameters_issued"],
  ["draft", "cancel", "cancelled"],
  ["parameters_issued", "issue_parameters", "parameters_issued"],
  ["parameters_issued", "upload", "awaiting_approval"],
  ["parameters_issued", "expire", "expired"],
  ["parameters_issued", "cancel", "cancelled"],
  ["awaiting_approval", "issue_parameters", "parameters_issued"],
  ["awaiting_approval", "upload", "awaiting_approval"],
  ["awaiting_approval", "reach_quorum", "importing"],
  ["awaiting_approval", "reject", "rejected"],
  ["awaiting_approval", "expire", "expired"],
  ["awaiting_approval", "cancel", "cancelled"],
  ["importing", "succeed", "imported"],
  ["importing", "fail", "failed"],
  ["failed", "retry", "importing"],
  ["failed", "upload", "awaiting_approval"],
  ["failed", "issue_parameters", "parameters_issued"],
  ["failed", "expire", "expired"],
  ["failed", "cancel", "cancelled"],
  ["expired", "issue_parameters", "parameters_issued"],
  ["expired", "cancel", "cancelled"],
];

describe("the import request state machine", () => {
  const all = REQUEST_STATES.flatMap((from) => EVENTS.map((event) => [from, event] as const));

  it.each(all)("%s --%s--> as the design says", (from, event) => {
    const edge = ALLOWED.find(([f, e]) => f === from && e === event);
    expect(nextState("import", from, event)).toBe(edge ? edge[2] : null);
    expect(nextState("rotate", from, event)).toBe(edge ? edge[2] : null);
  });

  it("never leaves a final state", () => {
    for (const state of ["imported", "rejected", "cancelled"] as const) {
      expect(isFinal(state)).toBe(true);
      for (const event of EVENTS) expect(canDo("import", state, event)).toBe(false);
    }
    expect(isFinal("expired")).toBe(false);
  });

  it("never imports twice: only awaiting_approval (quorum) and failed (retry) lead to importing", () => {
    const into = ALLOWED.filter(([, , to]) => to === "importing").map(([from, event]) => `${from}:${event}`);
    expect(into).toEqual(["awaiting_approval:reach_quorum", "failed:retry"]);
    expect(canDo("import", "importing", "reach_quorum")).toBe(false);
    expect(canDo("import", "importing", "retry")).toBe(false);
  });

  it("gives a deletion request no parameters, uploads or expiry", () => {
    const kind: RequestKind = "delete_material";
    for (const state of REQUEST_STATES) {
      expect(canDo(kind, state, "issue_parameters")).toBe(false);
      expect(canDo(kind, state, "upload")).toBe(false);
      expect(canDo(kind, state, "expire")).toBe(false);
    }
    expect(nextState(kind, "awaiting_approval", "reach_quorum")).toBe("importing");
    expect(nextState(kind, "failed", "retry")).toBe("importing");
    expect(stateLabel("importing", kind)).toBe("Deleting");
    expect(stateLabel("imported", kind)).toBe("Deleted");
    expect(stateLabel("imported", "rotate")).toBe("Imported and rotated");
    expect(stateLabel("awaiting_approval")).toBe("Awaiting approval");
  });
});

describe("effectiveState", () => {
  const validTo = new Date("2026-12-02T12:00:00Z");
  const before = validTo.getTime() - 1;
  const at = validTo.getTime();
  const req = (state: RequestState, kind: RequestKind = "import", keyMaterialId: string | null = null) => ({ kind, state, keyMaterialId });

  it("is expired once ParametersValidTo has passed, for every state holding a token", () => {
    for (const state of ["parameters_issued", "awaiting_approval", "failed"] as const) {
      expect(effectiveState(req(state), validTo, before)).toBe(state);
      expect(effectiveState(req(state), validTo, at)).toBe("expired");
    }
  });

  it("leaves alone states without a live token, deletions, and rotations whose material is imported", () => {
    for (const state of ["draft", "importing", "imported", "rejected", "cancelled", "expired"] as const) expect(effectiveState(req(state), validTo, at)).toBe(state);
    expect(effectiveState(req("awaiting_approval", "delete_material"), validTo, at)).toBe("awaiting_approval");
    expect(effectiveState(req("failed", "rotate", "material-1"), validTo, at)).toBe("failed");
    expect(effectiveState(req("parameters_issued"), null, at)).toBe("parameters_issued");
  });
});
