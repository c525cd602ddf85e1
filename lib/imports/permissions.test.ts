import { describe, expect, it } from "vitest";
import { permissionsFor, requestFacts, type Person, type RequestFacts, type RequestPermissions, type Verdict } from "./permissions";
import { REQUEST_KINDS, REQUEST_STATES, type RequestKind, type RequestState } from "./states";

/**
 * Who may do what to a request, and what the page says is next: every state × kind × token × person, checked
 * against the rules the workflow enforces (the parity with the workflow itself is permissions.parity.test.ts).
 */

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const LIVE = new Date(NOW + 23 * 3600_000);
const DEAD = new Date(NOW - 1000);

const requester: Person = { id: "casey", roles: ["custodian"] };
const uploader: Person = { id: "devon", roles: ["custodian"] };
const otherCustodian: Person = { id: "erin", roles: ["custodian"] };
const approver: Person = { id: "avery", roles: ["approver"] };
const decidedApprover: Person = { id: "blake", roles: ["approver"] };
const adminRequester: Person = { id: "casey", roles: ["admin"] };
const admin: Person = { id: "morgan", roles: ["admin"] };
const auditor: Person = { id: "riley", roles: ["auditor"] };
const uploaderApprover: Person = { id: "devon", roles: ["custodian", "approver"] };
const PEOPLE = { requester, uploader, otherCustodian, approver, decidedApprover, adminRequester, admin, auditor, uploaderApprover };

const ACTIONS = ["download", "upload", "approve", "reject", "retry", "reissue", "cancel", "verify"] as const;
type ActionName = (typeof ACTIONS)[number];

function facts(over: Partial<RequestFacts> = {}): RequestFacts {
  const kind = over.kind ?? "import";
  const hasParams = kind !== "delete_material";
  return {
    kind,
    state: "awaiting_approval",
    requestedBySubject: "casey",
    wrappingAlgorithm: hasParams ? "RSAES_OAEP_SHA_256" : null,
    wrappingKeySpec: hasParams ? "RSA_2048" : null,
    keyMaterialId: null,
    lastErrorCode: null,
    parametersValidTo: hasParams ? LIVE : null,
    blob: hasParams ? { id: "blob-1", uploadedBySubject: "devon" } : null,
    approvals: [{ approverSubject: "blake", decision: "approve", wrappedBlobId: hasParams ? "blob-1" : null }],
    approvalsRequired: 2,
    now: NOW,
    ...over,
  };
}

function allowed(v: Verdict): boolean {
  return v.allowed;
}
function code(v: Verdict): string | null {
  return v.allowed ? null : v.error.code;
}

type Case = { kind: RequestKind; state: RequestState; token: "live" | "dead" | "none"; rotated: boolean };
const CASES: Case[] = REQUEST_KINDS.flatMap((kind) =>
  REQUEST_STATES.flatMap((state) =>
    (kind === "delete_material" ? (["none"] as const) : (["live", "dead", "none"] as const)).flatMap((token) =>
      // A rotation records its KeyMaterialId only once ImportKeyMaterial succeeded: from importing on.
      (kind === "rotate" && ["importing", "failed", "imported", "cancelled"].includes(state) ? [false, true] : [false]).map((rotated) => ({ kind, state, token, rotated })),
    ),
  ),
);

function caseFacts(c: Case): RequestFacts {
  return facts({
    kind: c.kind,
    state: c.state,
    parametersValidTo: c.token === "live" ? LIVE : c.token === "dead" ? DEAD : null,
    keyMaterialId: c.rotated ? "material-1" : null,
    blob: c.kind === "delete_material" || c.token === "none" || c.state === "parameters_issued" || c.state === "draft" ? null : { id: "blob-1", uploadedBySubject: "devon" },
  });
}

describe("request permissions, every state × kind × token × person", () => {
  const table = CASES.flatMap((c) => Object.entries(PEOPLE).map(([who, person]) => [c, who, person] as const));

  it.each(table)("%o as %s", (c, who, person) => {
    const f = caseFacts(c);
    const p = permissionsFor(f, person);
    const tokenLive = c.token === "live";
    const rotationOnly = c.kind === "rotate" && c.rotated;
    const expired = c.state === "expired" || (["parameters_issued", "awaiting_approval", "failed"].includes(c.state) && c.token === "dead" && !rotationOnly);
    expect(p.effectiveState).toBe(expired ? "expired" : c.state);

    // Roles first: the permission each action needs (lib/auth/permissions.ts).
    const roleOf: Record<ActionName, string[]> = {
      download: ["custodian", "admin"],
      upload: ["custodian", "admin"],
      reissue: ["custodian", "admin"],
      cancel: ["custodian", "admin"],
      approve: ["approver", "admin"],
      reject: ["approver", "admin"],
      retry: ["approver", "admin"],
      verify: ["custodian", "approver", "admin"],
    };
    for (const action of ACTIONS) {
      if (!person.roles.some((r) => roleOf[action].includes(r))) expect(code(p[action]), `${action} needs a role`).toBe("forbidden");
    }

    // Files and uploads: only while the token lives, never for a deletion or a rotation whose token is spent.
    const tokenState = ["parameters_issued", "awaiting_approval", "failed"].includes(c.state);
    const canFiles = c.kind !== "delete_material" && !rotationOnly && tokenLive && tokenState;
    if (roleOf.download.some((r) => person.roles.includes(r as never))) {
      expect(allowed(p.download), "download").toBe(canFiles);
      expect(allowed(p.upload), "upload").toBe(canFiles);
      if (expired) {
        expect(code(p.download)).toBe("parameters_expired");
        expect(code(p.upload)).toBe("parameters_expired");
      }
      // Cancelling and reissuing: the requester's, or an admin's; never another custodian's, nor the uploader's.
      const owner = person.id === "casey" || person.roles.includes("admin");
      if (!owner) {
        expect(code(p.cancel), "cancel by someone else").toBe("forbidden");
        expect(code(p.reissue), "reissue by someone else").toBe("forbidden");
      }
      expect(allowed(p.cancel), "cancel").toBe(owner && !["importing", "imported", "rejected", "cancelled"].includes(c.state));
      const reissuable = c.kind !== "delete_material" && !rotationOnly && ["draft", "parameters_issued", "awaiting_approval", "failed", "expired"].includes(c.state);
      expect(allowed(p.reissue), "reissue").toBe(owner && reissuable);
    }

    // Verification calls KMS: custodians, approvers and admins, once imported; auditors only read.
    if (roleOf.verify.some((r) => person.roles.includes(r as never))) {
      expect(allowed(p.verify), "verify").toBe(c.kind !== "delete_material" && c.state === "imported");
    }

    // Decisions: awaiting approval, with a live token and a blob (a deletion needs neither); never by the
    // requester or the uploader, whatever their roles; never twice on the same upload.
    const self = person.id === "casey" || (c.kind !== "delete_material" && person.id === "devon");
    const mayDecideRole = person.roles.some((r) => r === "approver" || r === "admin");
    const decidable = c.state === "awaiting_approval" && !expired && (c.kind === "delete_material" || (tokenLive && f.blob !== null));
    if (mayDecideRole) {
      expect(allowed(p.approve), "approve").toBe(decidable && !self && person.id !== "blake");
      expect(allowed(p.reject), "reject").toBe(decidable && !self && person.id !== "blake");
      if (decidable && self) expect(code(p.approve)).toBe("self_approval");
      if (decidable && !self && person.id === "blake") expect(code(p.approve)).toBe("already_decided");
      // Retry: failed, and (with a quorum of 2 and one approval on record) never, since approvals are short.
      expect(allowed(p.retry), "retry").toBe(false);
    }

    // The next step: a sentence while anything is left to do, none once closed.
    if (["imported", "rejected", "cancelled"].includes(c.state)) expect(p.nextStep).toBeNull();
    else expect(p.nextStep).toMatch(/^[A-Z].*\.$/);
  });
});

describe("a failed import while its token lives (recovery)", () => {
  const failed = (over: Partial<RequestFacts> = {}) =>
    facts({
      state: "failed",
      lastErrorCode: "invalid_ciphertext",
      approvalsRequired: 1,
      approvals: [{ approverSubject: "avery", decision: "approve", wrappedBlobId: "blob-1" }],
      ...over,
    });

  it("lets a custodian download again and upload a new blob, and says that this is next", () => {
    const p = permissionsFor(failed(), otherCustodian);
    expect(p.download).toEqual({ allowed: true });
    expect(p.upload).toEqual({ allowed: true });
    // Another custodian may redo the upload, but not reissue or cancel what the requester started.
    expect(code(p.reissue)).toBe("forbidden");
    expect(code(p.cancel)).toBe("forbidden");
    expect(permissionsFor(failed(), requester).reissue).toEqual({ allowed: true });
    expect(permissionsFor(failed(), requester).cancel).toEqual({ allowed: true });
    expect(permissionsFor(failed(), admin).cancel).toEqual({ allowed: true });
    expect(p.nextStep).toBe(
      "Download the parameters again and wrap the material with this request's WrappingPublicKey.bin, then upload it; a fresh approval is needed.",
    );
  });

  it("tells an approver that the custodian's new upload is next when the bytes were wrong, and offers a retry", () => {
    const p = permissionsFor(failed(), approver);
    expect(p.retry).toEqual({ allowed: true });
    expect(code(p.upload)).toBe("forbidden");
    expect(p.nextStep).toMatch(/^A custodian downloads the parameters again, wraps the material .* then a fresh approval is needed\.$/);
  });

  it("points an approver at a retry when KMS failed for a passing reason", () => {
    const p = permissionsFor(failed({ lastErrorCode: "kms_internal" }), approver);
    expect(p.nextStep).toMatch(/^Retry as you/);
    // The uploader may not retry their own upload, and is told the upload is theirs to redo.
    const own = permissionsFor(failed({ lastErrorCode: "kms_internal" }), uploaderApprover);
    expect(code(own.retry)).toBe("self_approval");
    expect(own.nextStep).toMatch(/^Download the parameters again/);
  });

  it("offers nothing that needs the token once it has run out: reissue or cancel", () => {
    const p = permissionsFor(failed({ parametersValidTo: DEAD }), otherCustodian);
    expect(p.effectiveState).toBe("expired");
    expect(code(p.download)).toBe("parameters_expired");
    expect(code(p.upload)).toBe("parameters_expired");
    expect(code(permissionsFor(failed({ parametersValidTo: DEAD }), approver).retry)).toBe("parameters_expired");
    expect(code(p.reissue)).toBe("forbidden");
    expect(p.nextStep).toMatch(/^The requester \(or an admin\) reissues the parameters/);
    const own = permissionsFor(failed({ parametersValidTo: DEAD }), requester);
    expect(own.reissue).toEqual({ allowed: true });
    expect(own.nextStep).toMatch(/^Reissue the parameters/);
  });

  it("keeps a rotation whose material is imported to its rotate step: no files, no upload, no reissue", () => {
    const f = failed({ kind: "rotate", keyMaterialId: "material-1", parametersValidTo: DEAD, lastErrorCode: "kms_internal" });
    const custodian = permissionsFor(f, otherCustodian);
    expect(custodian.effectiveState).toBe("failed");
    expect(code(custodian.download)).toBe("invalid_state");
    expect(custodian.download.allowed ? "" : custodian.download.error.message).toMatch(/waits only for the rotation/);
    expect(code(custodian.upload)).toBe("invalid_state");
    expect(code(permissionsFor(f, requester).reissue)).toBe("invalid_state");
    const p = permissionsFor(f, approver);
    expect(p.retry).toEqual({ allowed: true });
    expect(p.nextStep).toMatch(/only rotates the key/);
  });

  it("needs the approvals of the current blob for a retry", () => {
    const p = permissionsFor(failed({ approvals: [{ approverSubject: "avery", decision: "approve", wrappedBlobId: "older-blob" }] }), blakeApprover());
    expect(p.currentApprovals).toBe(0);
    expect(code(p.retry)).toBe("invalid_state");
  });
});

function blakeApprover(): Person {
  return { id: "blake", roles: ["approver"] };
}

describe("awaiting approval", () => {
  it("counts only approvals of the current upload, and names how many are missing", () => {
    const f = facts({ approvals: [{ approverSubject: "blake", decision: "approve", wrappedBlobId: "old" }] });
    const p: RequestPermissions = permissionsFor(f, blakeApprover());
    expect(p.currentApprovals).toBe(0);
    expect(p.approve).toEqual({ allowed: true }); // Blake decided on an earlier upload: this one is new
    expect(permissionsFor(f, requester).nextStep).toBe(
      "An approver who neither requested nor uploaded it compares the blob's SHA-256 with the uploader and decides (2 more approvals needed).",
    );
    expect(permissionsFor(f, approver).nextStep).toMatch(/^Compare the uploaded blob's SHA-256 with the uploader out of band/);
  });

  it("refuses an admin who requested it, with the self-approval sentence", () => {
    const p = permissionsFor(facts(), adminRequester);
    expect(code(p.approve)).toBe("self_approval");
    expect(p.approve.allowed ? "" : p.approve.error.message).toMatch(/You started this request, so you cannot approve it/);
  });
});

describe("requestFacts", () => {
  it("takes the rows' own column names", () => {
    const f = requestFacts(
      {
        request: {
          kind: "import",
          state: "failed",
          requestedBySubject: "casey",
          wrappingAlgorithm: "RSAES_OAEP_SHA_256",
          wrappingKeySpec: "RSA_2048",
          keyMaterialId: null,
          lastErrorCode: "invalid_ciphertext",
        },
        parameters: { parametersValidTo: LIVE },
        blob: { id: "b", uploadedBySubject: "devon" },
        approvals: [],
      },
      { approvalsRequired: 1, now: NOW },
    );
    expect(f).toMatchObject({ state: "failed", parametersValidTo: LIVE, blob: { id: "b", uploadedBySubject: "devon" }, approvalsRequired: 1, now: NOW });
  });
});
