import { createPublicKey } from "node:crypto";
import { RotateKeyOnDemandCommand } from "@aws-sdk/client-kms";
import { parse } from "csv-parse/sync";
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditHead, listAuditEvents } from "@/lib/audit";
import { replaceSessionReader } from "@/lib/auth";
import type { Session } from "@/lib/auth/session-token";
import { withLiveRecord } from "@/lib/auth/testing/sessions";
import { getConfig } from "@/lib/config";
import type { Role } from "@/lib/config/schema";
import { useAsProcessDatabase } from "@/lib/db";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { wrapKeyMaterial } from "@/lib/emulator/crypto/wrap";
import { importWithNode } from "@/lib/emulator/test-support";
import type { ImportDeps } from "@/lib/imports";
import { buildDownload } from "@/lib/imports/downloads";
import { REGION, blake, casey, importHarness, reviewed, startInput } from "@/lib/imports/testing";
import { decide, startImport, uploadBlob } from "@/lib/imports/workflow";
import { KEY_AGE_CSV_COLUMNS } from "@/lib/inventory/key-age-csv";
import { GET } from "./route";

/**
 * The key-age CSV end to end: the real guard and session checks, the real database (both drivers), keys whose
 * material was imported through Keyport's workflow and rotated in the KMS emulator, their material summaries
 * stored by the inventory's own re-read (no KMS call at export time), and the audit trail read back.
 */

const h = importHarness({ prefix: "keyport-key-age-" });

const as = (id: string, name: string, ...roles: Role[]): Session => ({ user: { id, name, email: `${id}@example.test`, roles } });

beforeAll(() => {
  vi.stubEnv("KEYPORT_MODE", "demo");
  vi.stubEnv("DATABASE_URL", "");
  vi.stubEnv("KEYPORT_MIGRATION_DATABASE_URL", "");
  vi.stubEnv("KEYPORT_TARGETS", JSON.stringify([{ id: "prod", name: "Payments Production", accountId: "222222222222", roleArn: "arn:aws:iam::222222222222:role/KeyportImportRole", regions: [REGION] }]));
  getConfig();
  vi.unstubAllEnvs();
});

let current: Session | null = null;
const restoreSession = replaceSessionReader(async () => current && (await withLiveRecord(current)));
afterAll(() => restoreSession());
afterEach(() => {
  current = null;
  vi.restoreAllMocks();
});

const get = (query = "") => GET(new NextRequest(`http://keyport.test/api/reports/key-age/export${query}`), { params: Promise.resolve({}) });
const rowsOf = async (response: Response) => parse(await response.text(), { columns: true }) as Array<Record<string, string>>;

describe.each(testDrivers())("GET /api/reports/key-age/export on %s", (driver) => {
  const auditor = as("riley", "Riley Auditor", "auditor");
  const custodian = as("casey", "Casey Nakamura", "custodian");
  const approver = as("avery", "Avery Lindqvist", "approver");
  let db: TestDatabase;
  let deps: ImportDeps;
  let restoreDatabase: () => void;
  let rotated: string;
  let waiting: string;

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    restoreDatabase = useAsProcessDatabase(db.database);
    deps = h.makeDeps(db);
    // A key imported through Keyport (dual control), then rotated to new material in KMS.
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    rotated = key.keyId;
    const started = await startImport(deps, casey, startInput(key, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }));
    const der = (await buildDownload(deps, casey, started.requestId, "WrappingPublicKey.bin")).body;
    const blob = wrapKeyMaterial("RSAES_OAEP_SHA_256", createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" }), Buffer.alloc(32, 7));
    await uploadBlob(deps, casey, started.requestId, blob);
    expect(await decide(deps, blake, await reviewed(deps, { requestId: started.requestId, decision: "approve" }))).toMatchObject({ state: "imported" });
    const kms = deps.kms.kms("prod", REGION, { kind: "service" });
    await importWithNode(kms, key.arn, Buffer.alloc(32, 8), { importType: "NEW_KEY_MATERIAL" });
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.arn }));
    await deps.inventory.refreshKey("prod", REGION, rotated);
    waiting = (await h.newKey(deps, "SYMMETRIC_DEFAULT")).keyId;
  });
  afterAll(async () => {
    restoreDatabase?.();
    await db?.cleanup();
  });

  const exportEvents = async () => (await listAuditEvents(db.database.db, { action: "inventory.key_age_exported" }, { limit: 50 })).events;

  it("refuses a signed-out caller, a custodian and an approver inside the handler, and records no export", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const before = (await auditHead(db.database.db)).lastSeq;
    expect((await get()).status).toBe(401);
    for (const who of [custodian, approver]) {
      current = who;
      const refused = await get();
      expect(refused.status).toBe(403);
      expect(await refused.text()).not.toContain(rotated);
    }
    const denied = (await listAuditEvents(db.database.db, { action: "auth.access_denied" }, { limit: 5 })).events.filter((e) => e.seq > before);
    expect(denied.map((e) => [e.actor.subject, e.details.permission]).reverse()).toEqual([
      ["casey", "imports.export"],
      ["avery", "imports.export"],
    ]);
    expect(await exportEvents()).toEqual([]);
  });

  it("exports every key's material age, last import and rotations left, and records who exported what", async () => {
    current = auditor;
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="keyport-key-age-\d{8}-\d{6}\.csv"$/);
    expect(response.headers.get("x-keyport-truncated")).toBe("false");
    const rows = await rowsOf(response);
    expect(Object.keys(rows[0]!)).toEqual([...KEY_AGE_CSV_COLUMNS]);
    const byKey = new Map(rows.map((row) => [row.keyId, row]));
    // Rotated in KMS a moment ago: dated by the rotation, 0 days old, one of ten rotations used; imported by Keyport at Casey's request.
    expect(byKey.get(rotated)).toMatchObject({ account: "Payments Production", region: REGION, materialSinceSource: "rotation", ageDays: "0", ageBucket: "under-90d", lastImportBy: "Casey Nakamura", rotationsLeft: "9" });
    expect(Date.parse(byKey.get(rotated)!.lastImportAt!)).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(byKey.get(waiting)).toMatchObject({ keyState: "PendingImport", materialSince: "", ageDays: "", ageBucket: "no-material", lastImportAt: "" });
    const [event] = await exportEvents();
    expect(event).toMatchObject({ actor: { subject: "riley" }, details: { format: "csv", rows: rows.length, truncated: false } });
  });

  it("applies the page's filters, and refuses a filter it does not know", async () => {
    current = auditor;
    const waitingOnly = await rowsOf(await get("?age=no-material"));
    expect(waitingOnly.map((row) => row.keyId)).toEqual([waiting]);
    expect((await rowsOf(await get(`?age=under-90d&q=${rotated.slice(0, 8)}`))).map((row) => row.keyId)).toEqual([rotated]);
    expect(await rowsOf(await get("?region=us-east-1"))).toEqual([]);
    const refused = await get("?age=ancient");
    expect(refused.status).toBe(400);
    expect((await refused.json()).message).toContain("age: must be one of under-90d, 90d-1y, over-1y, no-material.");
  });
});
