import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditStandalone, listAuditEvents, verifyAudit } from "@/lib/audit";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { accessDeniedEvent, authAuditEvent } from "./audit-seam";

const olivia = { id: "sub-olivia", name: "Olivia Bennett", email: "olivia@example.com", roles: ["custodian" as const] };

describe("authAuditEvent", () => {
  it("records who signed in, with which roles and through which provider", () => {
    expect(authAuditEvent("sign_in", olivia, { provider: "oidc" })).toEqual({
      action: "auth.sign_in",
      actor: { subject: "sub-olivia", name: "Olivia Bennett", roles: ["custodian"] },
      details: { provider: "oidc", email: "olivia@example.com" },
    });
  });

  it("marks a sign-in without any role, and records sign-out", () => {
    expect(authAuditEvent("sign_in", { ...olivia, roles: [] }).details).toMatchObject({ noRole: true });
    expect(authAuditEvent("sign_out", { ...olivia, roles: [] })).toMatchObject({ action: "auth.sign_out", details: { email: "olivia@example.com" } });
  });
});

describe("accessDeniedEvent", () => {
  it("records a dual-control refusal as a role refusal, with the request and the role the person had in it", () => {
    const admin = { ...olivia, roles: ["admin" as const] };
    expect(accessDeniedEvent(admin, { kind: "dual_control", name: "approve", permission: "imports.approve", requestId: "r-1", role: "requester" })).toEqual({
      action: "auth.access_denied",
      actor: { subject: "sub-olivia", name: "Olivia Bennett", roles: ["admin"] },
      requestId: "r-1",
      details: { kind: "dual_control", name: "approve", permission: "imports.approve", role: "requester", email: "olivia@example.com" },
    });
    expect(accessDeniedEvent(olivia, { kind: "page", name: "/audit", permission: "audit.read" })).toEqual({
      action: "auth.access_denied",
      actor: { subject: "sub-olivia", name: "Olivia Bennett", roles: ["custodian"] },
      details: { kind: "page", name: "/audit", permission: "audit.read", email: "olivia@example.com" },
    });
  });
});

describe("the events in the real audit trail", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await test?.cleanup();
  });

  it("append and verify", async () => {
    const db = test.database.db;
    await appendAuditStandalone(db, authAuditEvent("sign_in", olivia, { provider: "demo" }));
    await appendAuditStandalone(db, authAuditEvent("sign_out", olivia, { provider: "demo" }));
    const listed = await listAuditEvents(db, {}, { limit: 10 });
    expect(JSON.stringify(listed)).toContain("auth.sign_in");
    expect(JSON.stringify(listed)).toContain("auth.sign_out");
    await expect(verifyAudit(db)).resolves.toMatchObject({ ok: true, count: 2 });
  });
});
