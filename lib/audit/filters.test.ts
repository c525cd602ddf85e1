import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db";
import { createTestDatabase, testDrivers, type TestDatabase } from "@/lib/db/testing";
import { appendAuditStandalone, exportAudit, listAuditEvents, type AuditEventInput, type AuditFilter } from "./index";

/**
 * The filters auditors type, on both drivers: request and key ids in the short form the screens show, keys by
 * ARN, people by id, e-mail or name. A filter that matches nothing lists nothing — never the whole trail.
 */

const casey = { subject: "demo-casey", name: "Casey Nakamura", roles: ["custodian"] };
const avery = { subject: "oidc|8c1f", name: "Avery Lindqvist", roles: ["approver"] };
const settlement = "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const webhook = "arn:aws:kms:eu-west-1:222222222222:key/9876fedc-12ab-34cd-56ef-1234567890ab";
const multiRegion = "arn:aws:kms:us-east-1:222222222222:key/mrk-0123456789abcdef0123456789abcdef";
const first = "82ca661b-1234-4abc-8def-0123456789ab";
const second = "82ca661c-1234-4abc-8def-0123456789ab";

const events: AuditEventInput[] = [
  { action: "auth.sign_in", actor: casey, details: { provider: "demo", email: "casey.custodian@demo.keyport" } },
  { action: "auth.sign_in", actor: avery, details: { provider: "oidc", email: "Avery.Lindqvist@Example.com" } },
  { action: "import.requested", actor: casey, keyArn: settlement, requestId: first },
  { action: "import.requested", actor: casey, keyArn: webhook, requestId: second },
  { action: "import.approved", actor: avery, keyArn: settlement, requestId: first },
  { action: "import.requested", actor: casey, keyArn: multiRegion, requestId: "0a0a0a0a-1234-4abc-8def-0123456789ab" },
];

describe.each(testDrivers())("audit filters on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = database.database.db;
    for (const e of events) await appendAuditStandalone(db, e);
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  const seqs = async (filter: AuditFilter) => (await listAuditEvents(db, filter)).events.map((e) => e.seq).reverse();
  const exported = async (filter: AuditFilter) => {
    let text = "";
    for await (const chunk of exportAudit(db, { ...filter, format: "jsonl" })) text += chunk;
    return text.trim() === "" ? [] : text.trim().split("\n").map((line) => (JSON.parse(line) as { seq: number }).seq);
  };

  it.each<[string, AuditFilter, number[]]>([
    ["a request by the 8 characters the screens show", { requestIdPrefix: "82ca661b" }, [3, 5]],
    ["a request by a longer prefix", { requestIdPrefix: "82ca661c-12" }, [4]],
    ["a request by its full id", { requestId: first }, [3, 5]],
    ["no request for a prefix nothing starts with", { requestIdPrefix: "ffffffff" }, []],
    ["a key by ARN", { key: { arns: [settlement] } }, [3, 5]],
    ["a key by the start of its id", { key: { idPrefix: "9876fedc" } }, [4]],
    ["a multi-Region key by the start of its id", { key: { idPrefix: "mrk-0123456789" } }, [6]],
    ["no key for an alias no key carries", { key: { arns: [] } }, []],
    ["no key for an id prefix nothing starts with", { key: { idPrefix: "eeeeeeee" } }, []],
    ["a person by id", { person: "oidc|8c1f" }, [2, 5]],
    ["a person by e-mail, in any case", { person: "avery.lindqvist@example.com" }, [2, 5]],
    ["a person by name", { person: "casey nakamura" }, [1, 3, 4, 6]],
    ["a person by part of their name", { person: "Lindq" }, [2, 5]],
    ["nobody for a name nobody has", { person: "Mallory" }, []],
    ["LIKE's wildcards as plain characters", { person: "%" }, []],
    ["filters combined", { person: "Casey", key: { arns: [settlement, webhook] } }, [3, 4]],
  ])("finds %s", async (_what, filter, expected) => {
    expect(await seqs(filter)).toEqual(expected);
    expect(await exported(filter)).toEqual(expected);
  });
});
