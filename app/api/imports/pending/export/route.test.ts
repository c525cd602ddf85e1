import { parse } from "csv-parse/sync";
import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { auditHead, listAuditEvents } from "@/lib/audit";
import { replaceSessionReader } from "@/lib/auth";
import type { Session } from "@/lib/auth/session-token";
import { withLiveRecord } from "@/lib/auth/testing/sessions";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import type { Role } from "@/lib/config/schema";
import { useAsProcessDatabase } from "@/lib/db";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { ImportDeps } from "@/lib/imports";
import { buildDownload } from "@/lib/imports/downloads";
import { downloadsByRequest } from "@/lib/imports/pending";
import { PENDING_EXPORT_COLUMNS } from "@/lib/imports/pending-export";
import { REGION, casey, devon, importHarness, startInput } from "@/lib/imports/testing";
import { startImport } from "@/lib/imports/workflow";
import { upsertDescribed } from "@/lib/inventory/queries";
import { describedKey } from "@/lib/inventory/testing";
import { GET } from "./route";

/**
 * The pending-imports export end to end: the real guard and session checks, the real database (both drivers),
 * requests started and downloaded through the workflow against the KMS emulator, and the audit trail read back.
 */

const h = importHarness({ prefix: "keyport-pending-export-" });
const DAY_MS = 24 * 3600_000;

const as = (id: string, name: string, ...roles: Role[]): Session => ({ user: { id, name, email: `${id}@example.test`, roles } });

// The route reads Keyport's configuration once per process: demo mode, one account named as the harness names it.
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

const get = (query: string) => GET(new NextRequest(`http://keyport.test/api/imports/pending/export?${query}`), { params: Promise.resolve({}) });

describe.each(testDrivers())("GET /api/imports/pending/export on %s", (driver) => {
  // Per database: a session's live record is kept in the database it was first read against.
  const auditor = as("riley", "Riley Auditor", "auditor");
  const admin = as("morgan", "Morgan Achterberg", "admin");
  const custodian = as("casey", "Casey Nakamura", "custodian");
  let db: TestDatabase;
  let deps: ImportDeps;
  let restoreDatabase: () => void;
  let requestId: string;
  let waitingKeyId: string;
  let idleKeyId: string;
  const validTo = new Date(Math.floor((nowMs() + 3 * DAY_MS) / 1000) * 1000);
  const expiringKeyId = "e0e0e0e0-1111-2222-3333-444444444444";

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    restoreDatabase = useAsProcessDatabase(db.database);
    deps = h.makeDeps(db);
    const waiting = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    waitingKeyId = waiting.keyId;
    idleKeyId = (await h.newKey(deps, "SYMMETRIC_DEFAULT")).keyId;
    requestId = (await startImport(deps, casey, startInput(waiting, { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" }))).requestId;
    await buildDownload(deps, casey, requestId, "WrappingPublicKey.pem");
    await buildDownload(deps, casey, requestId, "ImportToken.bin");
    await buildDownload(deps, devon, requestId, "ImportParameters.zip");
    await upsertDescribed(
      db.database.db,
      "prod",
      REGION,
      [
        describedKey(REGION, expiringKeyId, {
          description: "Settlement KEK, material expiring",
          creationDate: new Date("2026-01-02T03:04:05.000Z"),
          validTo,
          currentKeyMaterialId: "c".repeat(64),
        }),
      ],
      new Date(),
    );
  });
  afterAll(async () => {
    restoreDatabase?.();
    await db?.cleanup();
  });

  const exportEvents = async () => (await listAuditEvents(db.database.db, { action: "import.pending_exported" }, { limit: 200 })).events;

  it("refuses a signed-out caller and a custodian inside the handler, and records no export", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const before = (await auditHead(db.database.db)).lastSeq;
    const anonymous = await get("list=open-requests&format=csv");
    expect(anonymous.status).toBe(401);
    current = custodian;
    const refused = await get("list=open-requests&format=csv");
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain(requestId);
    const denied = (await listAuditEvents(db.database.db, { action: "auth.access_denied" }, { limit: 5 })).events.filter((e) => e.seq > before);
    expect(denied.map((e) => [e.actor.subject, e.details.permission])).toEqual([["casey", "imports.export"]]);
    expect(await exportEvents()).toEqual([]);
  });

  it("says which lists and formats exist when given another, and records nothing", async () => {
    current = auditor;
    const list = await get("list=everything&format=csv");
    expect(list.status).toBe(400);
    expect((await list.json()).message).toContain("Choose list=keys-waiting, list=open-requests or list=expiring.");
    const format = await get("list=expiring&format=xlsx");
    expect(format.status).toBe(400);
    expect((await format.json()).message).toContain("Choose format=csv or format=json.");
    expect(await exportEvents()).toEqual([]);
  });

  it("exports the open requests as CSV with who downloaded what, and records who exported which list", async () => {
    current = auditor;
    const response = await get("list=open-requests&format=csv");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="keyport-pending-open-requests-\d{8}-\d{6}\.csv"$/);
    const text = await response.text();
    expect(text).toContain("\r\n");
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toEqual(PENDING_EXPORT_COLUMNS["open-requests"]);
    expect(rows).toHaveLength(1);
    const row = Object.fromEntries(header!.map((c, i) => [c, rows[0]![i]]));
    expect(row).toMatchObject({
      request_id: requestId,
      state: "Parameters issued",
      account_name: "Payments Production",
      account_id: "222222222222",
      key_id: waitingKeyId,
      requested_by_name: "Casey Nakamura",
      requested_by_id: casey.subject,
      wrapping_algorithm: "RSAES_OAEP_SHA_256",
      downloads_total: "3",
    });
    for (const time of [row.requested_at, row.parameters_valid_to, row.updated_at]) expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Newest first, each with when, what and who.
    const downloads = row.downloads_latest!.split("; ");
    expect(downloads).toHaveLength(3);
    expect(downloads[0]).toMatch(/^\S+Z ImportParameters\.zip by Devon Okafor <demo-devon>$/);
    expect(downloads[1]).toMatch(/^\S+Z ImportToken\.bin by Casey Nakamura <demo-casey>$/);
    expect(downloads[2]).toMatch(/^\S+Z WrappingPublicKey\.pem by Casey Nakamura <demo-casey>$/);

    const [event] = await exportEvents();
    expect(event).toMatchObject({
      actor: { kind: "user", subject: "riley", name: "Riley Auditor", roles: ["auditor"] },
      details: { list: "open-requests", format: "csv", rows: 1, truncated: false },
    });
  });

  it("exports the keys waiting for material as JSON, each with its open request or none", async () => {
    current = admin;
    const response = await get("list=keys-waiting&format=json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/filename="keyport-pending-keys-waiting-\d{8}-\d{6}\.json"/);
    const body = await response.json();
    expect(body).toMatchObject({ list: "keys-waiting", row_count: 2, truncated: false, generated_by: { id: "morgan", name: "Morgan Achterberg" } });
    expect(body.generated_at).toMatch(/Z$/);
    const byKey = new Map<string, Record<string, unknown>>(body.rows.map((r: Record<string, unknown>) => [r.key_id, r]));
    expect(byKey.get(waitingKeyId)).toMatchObject({ open_request_id: requestId, open_request_state: "Parameters issued", key_state: "PendingImport" });
    expect(byKey.get(idleKeyId)).toMatchObject({ open_request_id: null, key_state: "PendingImport" });
    expect((await exportEvents())[0]).toMatchObject({ actor: { subject: "morgan" }, details: { list: "keys-waiting", format: "json", rows: 2 } });
  });

  it("exports the material expiring with ValidTo in ISO 8601 UTC, as JSON and as CSV", async () => {
    current = auditor;
    const json = await (await get("list=expiring&format=json")).json();
    expect(json.rows).toEqual([expect.objectContaining({ key_id: expiringKeyId, valid_to: validTo.toISOString(), expiration_model: "KEY_MATERIAL_EXPIRES" })]);
    const [header, row] = parse(await (await get("list=expiring&format=csv")).text()) as string[][];
    expect(row![header!.indexOf("valid_to")]).toBe(validTo.toISOString());
    expect((await exportEvents()).slice(0, 2).map((e) => e.details)).toEqual([
      { list: "expiring", format: "csv", rows: 1, truncated: false },
      { list: "expiring", format: "json", rows: 1, truncated: false },
    ]);
  });

  it("reads the latest downloads of many requests in one bounded query, with how many there were", async () => {
    const found = await downloadsByRequest(db.database.db, [requestId, "00000000-0000-4000-8000-000000000000"], 2);
    expect([...found.keys()]).toEqual([requestId]);
    const summary = found.get(requestId)!;
    expect(summary.total).toBe(3);
    expect(summary.latest.map((d) => [d.file, d.subject])).toEqual([
      ["ImportParameters.zip", "demo-devon"],
      ["ImportToken.bin", "demo-casey"],
    ]);
    expect(summary.latest[0]!.parameterSetId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
