import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import type { ImportDeps } from "@/lib/imports";
import { buildDownload } from "@/lib/imports/downloads";
import * as importQueries from "@/lib/imports/queries";
import { avery, casey, importHarness, reviewed, startInput } from "@/lib/imports/testing";
import { decide, startImport, uploadBlob } from "@/lib/imports/workflow";
import { enqueueExpiring } from "./expiring";
import type { WebhookPayload } from "./payload";
import { createSender, type Sender } from "./sender";
import { verifyWebhookSignature } from "./signature";
import { enableNotifications } from "./state";
import { outboxRows, startReceiver, type Receiver } from "./testing";

/**
 * Notifications from the real import workflow: the real AWS SDK against the emulator, the real database on
 * both drivers, the custodian's side done with openssl as Keyport prints it, and a real receiver on loopback.
 */

const h = importHarness({ prefix: "keyport-notify-" });
const SECRET = "n".repeat(48);
const PUBLIC_URL = "https://keyport.example.com";
const RSA = { wrappingAlgorithm: "RSAES_OAEP_SHA_256", wrappingKeySpec: "RSA_2048" };
const HOUR = 3_600_000;

let receiver: Receiver;
let restore: () => void;
beforeAll(async () => {
  receiver = await startReceiver();
  restore = enableNotifications();
});
afterAll(async () => {
  restore?.();
  await receiver?.close();
});
afterEach(async () => {
  await h.admin.reset();
});

/** Every form a secret could take in a JSON body. */
function encodings(bytes: Buffer): string[] {
  return [bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex"), bytes.toString("hex").toUpperCase()];
}

describe.each(testDrivers())("notifications from the import workflow on %s", (driver) => {
  let db: TestDatabase;
  let deps: ImportDeps;
  let sender: Sender;

  beforeAll(async () => {
    db = await createTestDatabase(driver);
    deps = h.makeDeps(db);
    sender = createSender({ db: db.database.db, url: receiver.url, secret: SECRET, publicUrl: PUBLIC_URL });
  });
  afterAll(async () => {
    await sender?.stop();
    await db?.cleanup();
  });

  /** Delivers the outbox and returns what arrived since `from`, checked against the signature. */
  async function deliver(from: number): Promise<Array<{ payload: WebhookPayload; body: string }>> {
    await sender.runOnce();
    return receiver.received.slice(from).map((r) => {
      const check = verifyWebhookSignature({
        secret: SECRET,
        body: r.body,
        timestamp: r.headers["x-keyport-timestamp"] as string,
        signature: r.headers["x-keyport-signature"] as string,
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      expect(check).toEqual({ ok: true });
      return { payload: JSON.parse(r.body) as WebhookPayload, body: r.body };
    });
  }

  async function uploaded(validTo?: string) {
    const key = await h.newKey(deps, "SYMMETRIC_DEFAULT");
    const fields = validTo ? { ...RSA, expirationModel: "KEY_MATERIAL_EXPIRES", validTo } : RSA;
    const { requestId } = await startImport(deps, casey, startInput(key, fields));
    const token = Buffer.from((await buildDownload(deps, casey, requestId, "ImportToken.bin")).body);
    const { blob, material } = await h.wrapLikeACustodian(deps, requestId);
    await uploadBlob(deps, casey, requestId, blob);
    return { key, requestId, secrets: { token, blob, material } };
  }

  it("tells approvers an upload awaits them, with a link and no token, blob or material", async () => {
    const from = receiver.received.length;
    const { key, requestId, secrets } = await uploaded();
    const messages = await deliver(from);
    expect(messages.map((m) => m.payload.keyport.kind)).toEqual(["approval.needed"]);
    const { payload, body } = messages[0]!;
    const link = `${PUBLIC_URL}/imports/${requestId}`;
    expect(payload.keyport).toMatchObject({ keyArn: key.arn, region: key.region, requestId, link, fields: { "Requested by": "Casey Nakamura", "Uploaded by": "Casey Nakamura" } });
    expect(payload.text).toContain(key.arn);
    expect(payload.text).toContain(`requested by Casey Nakamura`);
    expect(payload.text).toContain(`Open ${link} to review it.`);

    for (const [name, bytes] of Object.entries({ ...secrets, dataKey: deps.dataKey as Buffer })) {
      expect(bytes.length, name).toBeGreaterThan(0);
      for (const encoded of encodings(bytes)) expect(body.includes(encoded), `${name} in the message`).toBe(false);
    }
  });

  it("says when an import fails", async () => {
    const { key, requestId } = await uploaded();
    await sender.runOnce();
    const from = receiver.received.length;
    await h.admin.injectFaults({ type: "KMSInternalException", rate: 1, operation: "ImportKeyMaterial" });
    expect(await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }))).toMatchObject({ state: "failed" });
    const messages = await deliver(from);
    expect(messages.map((m) => m.payload.keyport)).toEqual([
      expect.objectContaining({ kind: "import.failed", keyArn: key.arn, requestId, fields: { Error: "kms_internal", Retryable: "yes" } }),
    ]);
    expect(messages[0]!.payload.text).toMatch(/failed \(kms_internal\)\. An approver can retry it/);
  });

  it("warns once per parameter set when an open request's parameters expire within the hour", async () => {
    const { requestId } = await uploaded();
    const parameters = (await importQueries.currentParameterSet(deps.db, requestId))!;
    const mine = async () => (await outboxRows(deps.db)).filter((r) => r.dedupeKey === `parameters.expiring:${parameters.id}`);
    await enqueueExpiring(deps.db, new Date(parameters.parametersValidTo.getTime() - 2 * HOUR), 14);
    expect(await mine()).toEqual([]);
    const soon = new Date(parameters.parametersValidTo.getTime() - 40 * 60_000);
    await enqueueExpiring(deps.db, soon, 14);
    await enqueueExpiring(deps.db, new Date(soon.getTime() + 60_000), 14);
    const rows = await mine();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.summary).toMatch(/expire at .* UTC, in 40 minutes\. Approve or reject it before then/);
    // Past the expiry there is nothing left to warn about.
    await enqueueExpiring(deps.db, new Date(parameters.parametersValidTo.getTime() + 60_000), 14);
    expect(await mine()).toHaveLength(1);
  });

  it("warns once a day about key material expiring within the warning window", async () => {
    const validTo = new Date(Math.floor((Date.now() + 7 * 24 * HOUR) / 1000) * 1000);
    const { key, requestId } = await uploaded(validTo.toISOString());
    expect(await decide(deps, avery, await reviewed(deps, { requestId, decision: "approve" }))).toMatchObject({ state: "imported" });
    const mine = async () => (await outboxRows(deps.db)).filter((r) => r.kind === "material.expiring" && r.dedupeKey.includes(key.arn));

    await enqueueExpiring(deps.db, new Date(), 5);
    expect(await mine()).toEqual([]);
    const from = receiver.received.length;
    await enqueueExpiring(deps.db, new Date(), 14);
    await enqueueExpiring(deps.db, new Date(Date.now() + 60_000), 14);
    expect(await mine()).toHaveLength(1);
    await enqueueExpiring(deps.db, new Date(Date.now() + 24 * HOUR), 14);
    expect(await mine()).toHaveLength(2);

    // Tomorrow's is due tomorrow: a message is sent from the time it names.
    const messages = (await deliver(from)).filter((m) => m.payload.keyport.kind === "material.expiring" && m.payload.keyport.keyArn === key.arn);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.payload.keyport.link).toBe(`${PUBLIC_URL}/keys/prod/${key.region}/${key.keyId}`);
    expect(messages[0]!.payload.text).toMatch(/expires at .* UTC \(in 7 days\)/);
  });
});
