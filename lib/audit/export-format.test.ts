import { describe, expect, it } from "vitest";
import { GENESIS_HASH, computeEventHash } from "./canonical";
import type { AuditEvent } from "./events";
import { csvHeader, csvRecords, MalformedExportError, parseAuditExport, toCsvLines, verifyExport } from "./export-format";

async function records(chunks: string[]): Promise<(string | null)[][]> {
  const out: (string | null)[][] = [];
  for await (const record of csvRecords(chunks)) out.push(record);
  return out;
}

function split(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function event(seq: number, prevHash: string, fields: Partial<AuditEvent> = {}): AuditEvent {
  const content: Omit<AuditEvent, "prevHash" | "hash"> = {
    seq,
    id: `00000000-0000-4000-8000-00000000000${seq}`,
    at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, seq)),
    action: "import.failed",
    actor: { kind: "user", subject: "carol@example.com", name: "", roles: ["custodian", "approver"] },
    targetId: "prod",
    region: "eu-west-1",
    keyArn: null,
    requestId: "82ca661b-0000-4000-8000-000000000000",
    kmsRequestId: null,
    details: { message: 'Line 1\r\nLine "2", comma', formula: "=HYPERLINK(\"x\")", unicode: "ключ 🔑" },
    ...fields,
  };
  return { ...content, prevHash, hash: computeEventHash(prevHash, content) };
}

describe("CSV export, written with csv-stringify", () => {
  it("keeps Keyport's format byte for byte: minimal RFC 4180 quoting, CRLF, NULL empty and \"\" for an empty string", () => {
    const e = event(1, GENESIS_HASH);
    expect(csvHeader()).toBe(
      "seq,id,at,action,actor_kind,actor_subject,actor_name,actor_roles,target_id,region,key_arn,request_id,kms_request_id,details,prev_hash,hash\r\n",
    );
    expect(toCsvLines([e])).toBe(
      "1,00000000-0000-4000-8000-000000000001,2026-01-02T03:04:05.001Z,import.failed,user,carol@example.com,\"\"," +
        '"[""custodian"",""approver""]",prod,eu-west-1,,82ca661b-0000-4000-8000-000000000000,,' +
        '"{""formula"":""=HYPERLINK(\\""x\\"")"",""message"":""Line 1\\r\\nLine \\""2\\"", comma"",""unicode"":""ключ 🔑""}",' +
        `${GENESIS_HASH},${e.hash}\r\n`,
    );
  });

  it("does not rewrite cells that start with = (the hash covers them as they are)", () => {
    const line = toCsvLines([event(1, GENESIS_HASH, { action: "=1+1" })]);
    expect(line).toContain(",=1+1,");
  });
});

describe("CSV export, read with csv-parse", () => {
  const text = 'a,b,c\r\n1,"x, ""y""\r\nz",\r\n"",plain,"é"\r\n';

  it("parses RFC 4180, telling NULL (empty) from empty string (\"\")", async () => {
    expect(await records([text])).toEqual([
      ["a", "b", "c"],
      ["1", 'x, "y"\r\nz', null],
      ["", "plain", "é"],
    ]);
  });

  it("gives the same records however the input is split, even inside a surrogate pair", async () => {
    const withEmoji = `${text}🔑,"🔑",x\n`;
    const whole = await records([withEmoji]);
    expect(whole[3]).toEqual(["🔑", "🔑", "x"]);
    for (let size = 1; size < 8; size++) expect(await records(split(withEmoji, size))).toEqual(whole);
  });

  it("accepts LF line ends, skips blank lines, and skips a UTF-8 byte order mark", async () => {
    expect(await records(["\uFEFFa,b\n\n1,2\n"])).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("rejects an unterminated quote and text after a closing quote", async () => {
    await expect(records(['"ab"c,d\n'])).rejects.toThrow(MalformedExportError);
    await expect(records(['"abc'])).rejects.toThrow(MalformedExportError);
  });

  it("reads back and verifies what it wrote, from a file saved with a byte order mark", async () => {
    const first = event(1, GENESIS_HASH);
    const second = event(2, first.hash, { actor: { kind: "system", subject: "keyport", name: null, roles: [] } });
    const exported = `\uFEFF${csvHeader()}${toCsvLines([first, second])}`;
    const parsed: AuditEvent[] = [];
    for await (const e of parseAuditExport(split(exported, 13), "csv")) parsed.push(e);
    expect(parsed).toEqual([first, second]);
    expect(await verifyExport([exported], { format: "csv" })).toMatchObject({ ok: true, count: 2, lastSeq: 2, lastHash: second.hash, breaks: [] });
  });
});
