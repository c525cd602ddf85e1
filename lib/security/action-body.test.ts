import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { encodeReply } from "next/dist/compiled/react-server-dom-webpack/client.edge";
import { actionBodyProblem, MAX_ACTION_ARGUMENTS, MAX_ACTION_DEPTH } from "./action-body";

type Body = string | FormData;
type Wire = { kind: "text"; body: string } | { kind: "form"; parts: Array<[string, { text: string } | { file: string; name: string }]> };

async function wire(body: Body): Promise<Wire> {
  if (typeof body === "string") return { kind: "text", body };
  const parts: Array<[string, { text: string } | { file: string; name: string }]> = [];
  for (const [name, value] of body.entries()) {
    parts.push([name, typeof value === "string" ? { text: value } : { file: Buffer.from(await value.arrayBuffer()).toString("base64"), name: value.name }]);
  }
  return { kind: "form", parts };
}

/**
 * What Next.js does with an action body before the action runs, in a Node process of its own with the
 * react-server condition React's server build needs: React's decodeReply, then the arguments applied (at most
 * 1,000, Next's limit). "ok", or the error that Next would answer with a 500.
 */
async function nextWouldDecode(bodies: Body[]): Promise<string[]> {
  const script = `
    const s = require(${JSON.stringify(path.join(process.cwd(), "node_modules/next/dist/compiled/react-server-dom-webpack/server.node.js"))});
    let input = ""; process.stdin.on("data", (c) => (input += c)); process.stdin.on("end", async () => {
      const out = [];
      for (const w of JSON.parse(input)) {
        let body = w.body;
        if (w.kind === "form") { body = new FormData(); for (const [n, v] of w.parts) body.append(n, "text" in v ? v.text : new File([Buffer.from(v.file, "base64")], v.name)); }
        try {
          const args = await Promise.race([s.decodeReply(body, {}, { temporaryReferences: s.createTemporaryReferenceSet() }), new Promise((_, no) => setTimeout(() => no(new Error("no answer")), 2000))]);
          if (Array.isArray(args) && args.length > 1000) throw new Error("too many arguments");
          Reflect.apply(() => undefined, null, args);
          out.push("ok");
        } catch (e) { out.push("error: " + e.message.split("\\n")[0]); }
      }
      process.stdout.write(JSON.stringify(out));
    });`;
  const run = spawnSync(process.execPath, ["--conditions=react-server", "-e", script], {
    input: JSON.stringify(await Promise.all(bodies.map(wire))),
    env: { ...process.env, NODE_ENV: "production" },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`the decoding process failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[];
}

const file = new File([new Uint8Array(296)], "EncryptedKeyMaterial.bin");
const form = new FormData();
form.append("requestId", "6f1c1d3e-6a2b-4d5e-8f90-123456789abc");
form.append("file", file);

/** What Keyport's pages send, as React encodes it. */
const legitimate = async (): Promise<Body[]> =>
  Promise.all(
    [
      [{ requestId: "6f1c1d3e-6a2b-4d5e-8f90-123456789abc", decision: "approve", blobSha256: "ab".repeat(32), confirmed: true, comment: "" }],
      [{}],
      [],
      [form],
      [{ requestId: "6f1c1d3e-6a2b-4d5e-8f90-123456789abc", file }],
      [{ a: "$dollar", b: undefined, c: new Date(0), d: 10n, e: NaN, f: -0, g: Infinity, h: -Infinity, i: [1, { j: null }] }],
      [Array.from({ length: MAX_ACTION_DEPTH - 1 }).reduce<unknown>((inner) => [inner], "deep")],
      Array.from({ length: MAX_ACTION_ARGUMENTS }, (_, i) => i),
    ].map((args) => encodeReply(args as never) as Promise<Body>),
  );

const multipart = (parts: Record<string, string | File>) => {
  const body = new FormData();
  for (const [name, value] of Object.entries(parts)) body.append(name, value);
  return body;
};

/** Bodies React's decoder (or Next applying the arguments) trips on: each is a 500 without the check. */
const breaking: Array<[string, Body]> = [
  ["truncated JSON", "["],
  ["not JSON", "not json"],
  ["a bare string", '"refresh"'],
  ["a reference to a missing row", '["$1"]'],
  ["a Map of a missing row", '["$Q1"]'],
  ["a server reference to a missing row", '["$h1"]'],
  ["a symbol", '["$S"]'],
  ["a BigInt that is not a number", '["$nxyz"]'],
  ["a 301-digit BigInt", `["$n${"9".repeat(301)}"]`],
  ["a Blob reference in a text body", '[{"file":"$B1"}]'],
  ["5,000 levels of nesting", `${"[".repeat(5000)}${"]".repeat(5000)}`],
  ["1,001 arguments", JSON.stringify(Array.from({ length: 1001 }, () => 0))],
  ["a Blob reference to a part that is not a file", multipart({ "0": '[{"file":"$B1"}]', "1": "text" })],
  ["a multipart body without part 0", multipart({ "1": "x" })],
];

describe("server action bodies at the proxy", () => {
  it("accepts every call Keyport's pages make, which Next decodes", async () => {
    const bodies = await legitimate();
    for (const body of bodies) expect(actionBodyProblem(body), typeof body === "string" ? body.slice(0, 80) : "multipart").toBeNull();
    expect(await nextWouldDecode(bodies)).toEqual(bodies.map(() => "ok"));
  });

  it("refuses every body React's decoder trips on, naming what is wrong", async () => {
    const outcomes = await nextWouldDecode(breaking.map(([, body]) => body));
    breaking.forEach(([label, body], i) => {
      expect(outcomes[i], `Next decodes "${label}"; the check would refuse a body Next can read`).toMatch(/^error: /);
      expect(actionBodyProblem(body), label).toEqual(expect.any(String));
    });
  });

  it("refuses what no Keyport page sends, though React could decode it", () => {
    for (const body of ['["$T"]', '[{"a":{"x":1},"b":"$0:0:a"}]', '["$@0"]', '["$Infinityx"]']) expect(actionBodyProblem(body), body).toEqual(expect.any(String));
    expect(actionBodyProblem(JSON.stringify(Array.from({ length: MAX_ACTION_ARGUMENTS + 1 }, () => 0)))).toMatch(/arguments/);
    const tooDeep = JSON.stringify([Array.from({ length: MAX_ACTION_DEPTH }).reduce<unknown>((inner) => [inner], "deep")]);
    expect(actionBodyProblem(tooDeep)).toMatch(/nested/);
  });
});
