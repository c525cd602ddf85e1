/**
 * Hostile calls of every server action: every session that is not one, every role without the permission,
 * foreign origins, forged and replayed action ids, wrong types in every field, and each action's own
 * malformed, contradictory or out-of-state inputs. Where a call would change something if it were obeyed
 * (the "realistic" arguments below), it is aimed at a fixture whose state the suite checks afterwards.
 */
import { randomBytes } from "node:crypto";
import { importInput, REGION, TARGET } from "../journey";
import type { Username } from "../stack";
import { INJECTED, UNKNOWN_ID, type CorpusContext, type HostileCase } from "./hostile-corpus";
import type { Expect } from "./hostile-expect";
import { actionId, actionNames, callAction, sendActionBody, type ActionCall } from "./hostile-http";

const NAMES = [
  "decideImportRequest",
  "retryImportRequest",
  "verifyAuditTrail",
  "signAuditCheckpoint",
  "cancelImportRequest",
  "issueImportParameters",
  "verifyImportedKeyMaterial",
  "uploadWrappedKeyMaterial",
  "refreshInventory",
  "requestKeyMaterialDeletion",
  "breakGlassDeleteMaterial",
  "startImportRequest",
  "startImportSession",
  "decideImportSession",
  "verifyImportSession",
  "endSession",
  "setKeySchedule",
  "setTargetSchedule",
  "startScheduledReimportRequest",
  "acknowledgeDriftFinding",
] as const;
type ActionName = (typeof NAMES)[number];

/** Who may call each action (the call reaches its input parser), and who holds a role without the permission. */
const CALLERS: Record<ActionName, { permitted: Username; lacking: Username[] }> = {
  decideImportRequest: { permitted: "ana", lacking: ["cora", "aud", "nobody"] },
  retryImportRequest: { permitted: "ana", lacking: ["cora", "aud", "nobody"] },
  verifyAuditTrail: { permitted: "aud", lacking: ["cora", "ana", "nobody"] },
  signAuditCheckpoint: { permitted: "aud", lacking: ["cora", "ana", "nobody"] },
  cancelImportRequest: { permitted: "cora", lacking: ["ana", "aud", "nobody"] },
  issueImportParameters: { permitted: "cora", lacking: ["ana", "aud", "nobody"] },
  verifyImportedKeyMaterial: { permitted: "ana", lacking: ["aud", "nobody"] },
  uploadWrappedKeyMaterial: { permitted: "cora", lacking: ["ana", "aud", "nobody"] },
  refreshInventory: { permitted: "cora", lacking: ["ana", "aud", "nobody"] },
  requestKeyMaterialDeletion: { permitted: "cora", lacking: ["ana", "aud", "nobody"] },
  breakGlassDeleteMaterial: { permitted: "adm", lacking: ["cora", "ana", "aud", "nobody"] },
  startImportRequest: { permitted: "cora", lacking: ["ana", "aud", "nobody"] },
  startImportSession: { permitted: "cora", lacking: ["ana", "aud", "nobody"] },
  decideImportSession: { permitted: "ana", lacking: ["cora", "aud", "nobody"] },
  verifyImportSession: { permitted: "ana", lacking: ["aud", "nobody"] },
  endSession: { permitted: "adm", lacking: ["cora", "ana", "aud", "nobody"] },
  setKeySchedule: { permitted: "cora", lacking: ["ana", "aud", "nobody"] },
  setTargetSchedule: { permitted: "cora", lacking: ["ana", "aud", "nobody"] },
  startScheduledReimportRequest: { permitted: "cora", lacking: ["ana", "aud", "nobody"] },
  acknowledgeDriftFinding: { permitted: "aud", lacking: ["cora", "ana", "nobody"] },
};

const file = (bytes: number | Buffer, name = "EncryptedKeyMaterial.bin") =>
  new File([new Uint8Array(typeof bytes === "number" ? randomBytes(bytes) : bytes)], name, { type: "application/octet-stream" });

/** The call each action's page would make, aimed at a fixture: obeyed, it would change something the suite checks. */
function realistic(name: ActionName, { fx }: CorpusContext): Record<string, unknown> {
  switch (name) {
    case "decideImportRequest":
      return { requestId: fx.awaiting.id, decision: "approve", blobSha256: fx.awaiting.sha256, confirmed: true, comment: "" };
    case "retryImportRequest":
      return { requestId: fx.awaiting.id };
    case "verifyAuditTrail":
    case "signAuditCheckpoint":
    case "refreshInventory":
      return {};
    case "cancelImportRequest":
      return { requestId: fx.issued.id, reason: "Hostile replay of a cancellation." };
    case "issueImportParameters":
      return { requestId: fx.issued.id };
    case "verifyImportedKeyMaterial":
      return { requestId: fx.imported.id };
    case "uploadWrappedKeyMaterial":
      return { requestId: fx.issued.id, file: file(fx.blobBytes) };
    case "requestKeyMaterialDeletion":
      return { target: TARGET.id, region: REGION, keyId: fx.imported.keyId, justification: "Hostile replay of a deletion request." };
    case "breakGlassDeleteMaterial":
      // Obeyed, it would delete the imported key's material; the stack leaves break glass off, so even an admin is refused.
      return { target: TARGET.id, region: REGION, keyId: fx.imported.keyId, reason: "Hostile replay of a break glass in an incident.", confirmation: fx.imported.keyId };
    case "startImportRequest":
      return importInput(fx.untouched);
    case "startImportSession": {
      // Obeyed, it would open a request on the untouched key (a single-Region key: the session refuses it).
      const { region, kind: _kind, ...rest } = importInput(fx.untouched);
      return { ...rest, regions: [region] };
    }
    case "verifyImportSession":
      return { sessionId: UNKNOWN_ID };
    case "decideImportSession":
      return { sessionId: UNKNOWN_ID, decision: "approve", blobs: { [fx.awaiting.id]: fx.awaiting.sha256 }, confirmed: true, comment: "" };
    case "endSession":
      return { sessionId: fx.coraSessionId };
    // Without days, obeyed, these clear a schedule the fixtures never set: a number in any field is then refused.
    case "setKeySchedule":
      return { target: TARGET.id, region: REGION, keyId: fx.untouched };
    case "setTargetSchedule":
      return { target: TARGET.id };
    // Obeyed, it would open a second request on the busy key: refused (key_busy) as the workflow refuses it.
    case "startScheduledReimportRequest":
      return { target: TARGET.id, region: REGION, keyId: fx.awaiting.keyId };
    case "acknowledgeDriftFinding":
      // Obeyed, it would acknowledge nothing: the suite's stack has no finding to aim at.
      return { findingId: UNKNOWN_ID, comment: "Hostile replay of an acknowledgement." };
  }
}

type Spec = Omit<ActionCall, "cookie" | "name"> & { who: Username | { cookie: string | null } };

function action(cx: CorpusContext, category: string, target: ActionName, name: string, spec: Spec, expect?: Expect): HostileCase {
  const cookie = typeof spec.who === "string" ? cx.people[spec.who].cookie : spec.who.cookie;
  return { kind: "action", category, target, name, expect, send: (base) => callAction(base, { ...spec, cookie, name: target }) };
}

const INVALID: Expect = { codes: ["invalid_input"] };

/** Every action × every session that is not one, wrong roles, origins, forged and replayed ids. */
function perAction(cx: CorpusContext): HostileCase[] {
  const out: HostileCase[] = [];
  for (const name of NAMES) {
    const args = [realistic(name, cx)];
    for (const variant of cx.sessions.variants) {
      out.push(action(cx, "session", name, variant.label, { who: { cookie: variant.cookie }, args }, { codes: ["unauthenticated"] }));
    }
    for (const role of CALLERS[name].lacking) {
      out.push(action(cx, "role", name, `as ${role}`, { who: role, args }, { codes: ["forbidden"] }));
    }
    const permitted = CALLERS[name].permitted;
    for (const origin of ["https://evil.example", "null", "http://127.0.0.1.evil.example"]) {
      out.push(action(cx, "origin", name, `Origin: ${origin}`, { who: permitted, args, origin }, { statuses: [403] }));
    }
    out.push(action(cx, "origin", name, "Sec-Fetch-Site: cross-site", { who: permitted, args, headers: { "Sec-Fetch-Site": "cross-site" } }, { statuses: [403] }));
    out.push(action(cx, "forged-id", name, "a well-formed id no action has", { who: permitted, args, actionId: `7f${randomBytes(20).toString("hex")}` }));
    out.push(action(cx, "forged-id", name, "an id that is not hex", { who: permitted, args, actionId: `${actionId(name).slice(0, 20)}../../x` }));
    // Next forwards an id to the page that carries it, so a replay elsewhere reaches the action's own guard.
    out.push(action(cx, "replay", name, "posted to /signin by someone with no role", { who: "nobody", args, page: "/signin" }, { codes: ["forbidden"] }));
    out.push(action(cx, "replay", name, "posted to /no-access, signed out", { who: { cookie: cx.sessions.signedOut }, args, page: "/no-access" }, { codes: ["unauthenticated"] }));
    out.push(action(cx, "replay", name, "posted to /api/health", { who: permitted, args, page: "/api/health" }));
  }
  return out;
}

/** Wrong types: the whole argument, and each field of the realistic call in turn. */
function wrongTypes(cx: CorpusContext): HostileCase[] {
  const out: HostileCase[] = [];
  for (const name of NAMES) {
    const who = CALLERS[name].permitted;
    const whole: Array<[string, unknown[]]> = [
      ["no argument", []],
      ["null", [null]],
      ["a number", [42]],
      ["a string", ["{}"]],
      ["a boolean", [true]],
      ["an array", [[1, 2]]],
      ["two arguments", [{ a: 1 }, { b: 2 }]],
    ];
    for (const [label, args] of whole) out.push(action(cx, "types", name, `argument: ${label}`, { who, args }, INVALID));
    const base = realistic(name, cx);
    for (const field of Object.keys(base)) {
      for (const [label, value] of [
        ["a number", 42],
        ["two values", ["a", "b"]],
        ["an object", { $gt: "" }],
        ["null", null],
      ] as const) {
        // On an untouched key, dropping a field must never leave a valid request behind (importInput has defaults).
        out.push(action(cx, "types", name, `${field}: ${label}`, { who, args: [{ ...base, [field]: value }] }, INVALID));
      }
    }
  }
  return out;
}

/** Each action's own malformed, contradictory and out-of-state inputs. */
function specific(cx: CorpusContext): HostileCase[] {
  const { fx } = cx;
  const out: HostileCase[] = [];
  const add = (category: string, name: ActionName, label: string, who: Username, arg: unknown, expect: Expect = {}) =>
    out.push(action(cx, category, name, label, { who, args: [arg] }, expect));

  // startImportRequest: dates, contradictions, enums, ids, text. The untouched key is used only where the
  // schema refuses; an otherwise valid call goes to the busy key (refused because it has an open request).
  const start = (over: Record<string, unknown>) => importInput(fx.untouched, over);
  const busy = (over: Record<string, unknown>) => importInput(fx.awaiting.keyId, over);
  const expires = (validTo: unknown) => start({ expirationModel: "KEY_MATERIAL_EXPIRES", validTo });
  for (const validTo of ["2027-02-31", "2026-13-01", "2026-00-10", "2027-02-29", "2100-02-29", "2026-12-31T25:00:00Z", "2026-12-31T00:00:00", "31/12/2026", "0000-00-00", "+275760-09-13", "2026-1-5", "tomorrow"]) {
    add("dates", "startImportRequest", `validTo ${validTo}`, "cora", expires(validTo), INVALID);
  }
  add("dates", "startImportRequest", "validTo in the past", "cora", expires("2020-01-01"), INVALID);
  add("dates", "startImportRequest", "validTo 10 years ahead", "cora", expires("2099-01-01"), INVALID);
  add("contradiction", "startImportRequest", "EXPIRES without validTo", "cora", start({ expirationModel: "KEY_MATERIAL_EXPIRES" }), INVALID);
  add("contradiction", "startImportRequest", "DOES_NOT_EXPIRE with validTo", "cora", start({ validTo: "2026-12-31" }), INVALID);
  add("contradiction", "startImportRequest", "both expiration models", "cora", start({ expirationModel: ["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"] }), INVALID);
  add("contradiction", "startImportRequest", "rotate a key that holds no material", "cora", start({ kind: "rotate" }), { codes: ["invalid_key_state", "invalid_input"] });
  add("contradiction", "startImportRequest", "a second open request on a busy key", "cora", busy({}), { codes: ["key_busy"] });
  add("contradiction", "startImportRequest", "fields it does not take (state, approvedBy)", "cora", busy({ state: "imported", approvedBy: "ana" }), { codes: ["key_busy"] });
  add("contradiction", "startImportRequest", "an own __proto__ property", "cora", { ...busy({}), ...JSON.parse('{"__proto__":{"kind":"rotate","isAdmin":true}}') }, { codes: ["key_busy"] });
  for (const [field, value] of [
    ["wrappingAlgorithm", "rsa_aes_key_wrap_sha_256"],
    ["wrappingAlgorithm", "RSA_AES_KEY_WRAP_SHA_512"],
    ["wrappingAlgorithm", ""],
    ["wrappingKeySpec", "RSA_1024"],
    ["wrappingKeySpec", "RSA_2048 "],
    ["kind", "delete_material"],
    ["kind", "import\u0000"],
    ["expirationModel", "NEVER"],
    ["importType", "BOTH"],
  ] as const) {
    add("enums", "startImportRequest", `${field} "${value.replace("\u0000", "\\0")}"`, "cora", start({ [field]: value }), INVALID);
  }
  add("enums", "startImportRequest", "SM2 wrapping outside China", "cora", start({ wrappingAlgorithm: "SM2PKE", wrappingKeySpec: "SM2" }), INVALID);
  const uuid = fx.untouched;
  for (const [field, value] of [
    ["target", "PAYMENTS-PRODUCTION"],
    ["target", "../payments-production"],
    ["target", ""],
    ["target", "constructor"],
    ["target", "data-platform-staging"],
    ["region", "EU-WEST-1"],
    ["region", "eu-west-1/../us-east-1"],
    ["region", "mars-north-9"],
    ["region", "us-east-1"],
    ["keyId", `arn:aws:kms:eu-west-1:222222222222:key/${uuid}`],
    ["keyId", "alias/payments"],
    ["keyId", uuid.toUpperCase()],
    ["keyId", `${uuid}\n`],
    ["keyId", `mrk-${"a".repeat(31)}`],
    ["keyId", UNKNOWN_ID],
    ["keyId", `../../${uuid}`],
  ] as const) {
    add("ids", "startImportRequest", `${field} ${JSON.stringify(value)}`, "cora", start({ [field]: value }), { codes: ["invalid_input", "key_not_found"] });
  }
  for (const [label, justification] of [
    ["NUL", "Needed for the migration\u0000"],
    ["BEL", "Needed for the \u0007migration."],
    ["an ANSI escape", "Needed \u001b[31mfor the migration."],
    ["a C1 control (NEL)", "Needed for the\u0085 migration."],
    ["DEL", "Needed for the migration\u007f"],
    ["a lone high surrogate", "Needed for the migration \uD800."],
    ["a lone low surrogate", "\uDFFF Needed for the migration."],
    ["10,000 characters", "x".repeat(10_000)],
    ["1,001 characters", "y".repeat(1_001)],
    ["only spaces", " ".repeat(40)],
    ["9 characters", "Too short"],
  ] as const) {
    add(label.includes("surrogate") ? "surrogates" : label.includes("characters") || label.includes("spaces") ? "long" : "control", "startImportRequest", `justification with ${label}`, "cora", start({ justification }), INVALID);
  }
  add("crlf", "startImportRequest", "CR/LF injection in the justification", "cora", busy({ justification: `Needed.\r\n[keyport] ${INJECTED} granted admin` }), { codes: ["key_busy"] });
  out.push(action(cx, "long", "startImportRequest", "justification of 100,000 characters (over the body limit)", { who: "cora", args: [start({ justification: "z".repeat(100_000) })] }, { statuses: [413] }));

  // decideImportRequest on the request awaiting approval, as an approver: nothing here may decide it.
  const decide = (over: Record<string, unknown>) => ({ ...realistic("decideImportRequest", cx), ...over });
  const zeros = "0".repeat(64);
  add("contradiction", "decideImportRequest", 'decision ["approve","reject"]', "ana", decide({ decision: ["approve", "reject"] }), INVALID);
  for (const decision of ["APPROVE", "abstain", "", "approve\u0000"]) add("enums", "decideImportRequest", `decision ${JSON.stringify(decision)}`, "ana", decide({ decision }), INVALID);
  add("contradiction", "decideImportRequest", "a blob nobody uploaded", "ana", decide({ blobSha256: zeros }), { codes: ["blob_changed"] });
  add("contradiction", "decideImportRequest", 'blob "none" on an import', "ana", decide({ blobSha256: "none" }), { codes: ["blob_changed"] });
  add("ids", "decideImportRequest", "the SHA-256 in upper case", "ana", decide({ blobSha256: fx.awaiting.sha256.toUpperCase() }), INVALID);
  add("ids", "decideImportRequest", "a 63-digit SHA-256", "ana", decide({ blobSha256: fx.awaiting.sha256.slice(1) }), INVALID);
  add("contradiction", "decideImportRequest", 'approve with confirmed "yes"', "ana", decide({ confirmed: "yes" }), INVALID);
  add("contradiction", "decideImportRequest", "approve, not confirmed", "ana", decide({ confirmed: false }), INVALID);
  add("contradiction", "decideImportRequest", "reject without a comment", "ana", decide({ decision: "reject" }), INVALID);
  add("long", "decideImportRequest", "a comment of 10,000 characters", "ana", decide({ decision: "reject", comment: "c".repeat(10_000) }), INVALID);
  add("control", "decideImportRequest", "a comment with NUL", "ana", decide({ decision: "reject", comment: "No.\u0000" }), INVALID);
  add("surrogates", "decideImportRequest", "a comment with a lone surrogate", "ana", decide({ decision: "reject", comment: "No \uD800 way." }), INVALID);
  add("crlf", "decideImportRequest", "CR/LF injection in a rejection's comment (wrong blob)", "ana", decide({ decision: "reject", comment: `No.\r\n${INJECTED}`, blobSha256: zeros }), { codes: ["blob_changed"] });
  add("state", "decideImportRequest", "approve an import already carried out", "ana", decide({ requestId: fx.imported.id, blobSha256: fx.imported.sha256 }), { codes: ["invalid_state"] });
  add("ids", "decideImportRequest", "an unknown request", "ana", decide({ requestId: UNKNOWN_ID }), { codes: ["not_found"] });
  add("ids", "decideImportRequest", "the request id in upper case (wrong blob)", "ana", decide({ requestId: fx.awaiting.id.toUpperCase(), blobSha256: zeros }), { codes: ["blob_changed", "invalid_input"] });
  for (const requestId of ["../" + fx.awaiting.id, `${fx.awaiting.id}' OR '1'='1`, fx.awaiting.id.replace(/-/g, ""), "x".repeat(10_000)]) {
    add("ids", "decideImportRequest", `requestId ${JSON.stringify(requestId.slice(0, 50))}`, "ana", decide({ requestId }), INVALID);
  }

  // The other request steps, each out of its state or by the wrong person.
  for (const [label, requestId] of [["awaiting approval", fx.awaiting.id], ["imported", fx.imported.id], ["with parameters", fx.issued.id]] as const) {
    add("state", "retryImportRequest", `retry a request ${label}`, "ana", { requestId }, { codes: ["invalid_state"] });
  }
  add("ids", "retryImportRequest", "retry an unknown request", "ana", { requestId: UNKNOWN_ID }, { codes: ["not_found"] });
  add("state", "cancelImportRequest", "cancel an import already carried out", "cora", { requestId: fx.imported.id }, { codes: ["invalid_state"] });
  add("role", "cancelImportRequest", "another custodian cancels", "dale", { requestId: fx.issued.id, reason: "Not mine." });
  add("crlf", "cancelImportRequest", "CR/LF injection in a reason (another custodian)", "dale", { requestId: fx.awaiting.id, reason: `Gone.\r\n${INJECTED}` });
  add("long", "cancelImportRequest", "a reason of 10,000 characters", "cora", { requestId: fx.issued.id, reason: "r".repeat(10_000) }, INVALID);
  add("control", "cancelImportRequest", "a reason with BEL", "cora", { requestId: fx.issued.id, reason: "Gone\u0007" }, INVALID);
  add("surrogates", "cancelImportRequest", "a reason with a lone surrogate", "cora", { requestId: fx.issued.id, reason: "Gone \uDBFF" }, INVALID);
  add("role", "issueImportParameters", "another custodian reissues", "dale", { requestId: fx.issued.id });
  add("state", "issueImportParameters", "reissue an import already carried out", "cora", { requestId: fx.imported.id }, { codes: ["invalid_state"] });
  add("ids", "issueImportParameters", "an unknown request", "cora", { requestId: UNKNOWN_ID }, { codes: ["not_found"] });
  for (const [label, requestId] of [["awaiting approval", fx.awaiting.id], ["with parameters", fx.issued.id]] as const) {
    add("state", "verifyImportedKeyMaterial", `verify a request ${label}`, "ana", { requestId }, { codes: ["invalid_state"] });
  }
  add("ids", "verifyImportedKeyMaterial", "an unknown request", "ana", { requestId: UNKNOWN_ID }, { codes: ["not_found"] });

  // Uploads: empty, too large, the wrong kind of file; to the wrong request.
  const upload = (bytes: number | Buffer, name?: string, requestId = fx.issued.id) => ({ requestId, file: file(bytes, name) });
  const pem = Buffer.from(`-----BEGIN PUBLIC KEY-----\n${randomBytes(294).toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END PUBLIC KEY-----\n`);
  const zip = Buffer.concat([Buffer.from("PK\u0003\u0004\u0014\u0000\u0000\u0000\u0008\u0000", "latin1"), randomBytes(180), Buffer.from("PK\u0005\u0006", "latin1"), Buffer.alloc(18)]);
  add("upload", "uploadWrappedKeyMaterial", "an empty file", "cora", upload(0), INVALID);
  add("upload", "uploadWrappedKeyMaterial", "6,145 bytes (one over KMS's limit)", "cora", upload(6145), INVALID);
  add("upload", "uploadWrappedKeyMaterial", "a PEM public key", "cora", upload(pem, "WrappingPublicKey.pem"), { codes: ["blob_size"] });
  add("upload", "uploadWrappedKeyMaterial", "a zip", "cora", upload(zip, "ImportParameters.zip"), { codes: ["blob_size"] });
  add("upload", "uploadWrappedKeyMaterial", "a text file", "cora", upload(Buffer.from("hello, this is not key material\n"), "notes.txt"), { codes: ["blob_size"] });
  add("upload", "uploadWrappedKeyMaterial", "one byte short", "cora", upload(fx.blobBytes - 1), { codes: ["blob_size"] });
  add("upload", "uploadWrappedKeyMaterial", "one byte long", "cora", upload(fx.blobBytes + 1), { codes: ["blob_size"] });
  add("upload", "uploadWrappedKeyMaterial", "a traversal file name (wrong size)", "cora", upload(17, "../../../etc/passwd"), { codes: ["blob_size"] });
  add("upload", "uploadWrappedKeyMaterial", "the file as a string", "cora", { requestId: fx.issued.id, file: "AAAA" }, INVALID);
  add("state", "uploadWrappedKeyMaterial", "to an import already carried out", "cora", upload(fx.blobBytes, undefined, fx.imported.id), { codes: ["invalid_state"] });
  add("ids", "uploadWrappedKeyMaterial", "to an unknown request", "cora", upload(fx.blobBytes, undefined, UNKNOWN_ID), { codes: ["not_found"] });
  for (const mb of [3, 12]) {
    out.push(action(cx, "size", "uploadWrappedKeyMaterial", `a ${mb} MB file`, { who: "cora", args: [upload(mb * 1024 * 1024)] }, { statuses: [413] }));
  }

  // Deletion requests, session ends, refreshes and verification with what their forms never send.
  const deletion = (over: Record<string, unknown>) => ({ ...realistic("requestKeyMaterialDeletion", cx), ...over });
  add("state", "requestKeyMaterialDeletion", "a key that holds no material", "cora", deletion({ keyId: fx.untouched }), { codes: ["no_material"] });
  add("long", "requestKeyMaterialDeletion", "a justification of 10,000 characters", "cora", deletion({ justification: "d".repeat(10_000) }), INVALID);
  add("control", "requestKeyMaterialDeletion", "a justification with NUL", "cora", deletion({ justification: "Delete it now\u0000 please." }), INVALID);
  add("ids", "requestKeyMaterialDeletion", "a key ARN for the key id", "cora", deletion({ keyId: `arn:aws:kms:${REGION}:222222222222:key/${fx.imported.keyId}` }), INVALID);
  add("ids", "requestKeyMaterialDeletion", "an unknown key", "cora", deletion({ keyId: UNKNOWN_ID }), { codes: ["key_not_found", "not_found"] });
  const glass = (over: Record<string, unknown>) => ({ ...realistic("breakGlassDeleteMaterial", cx), ...over });
  add("state", "breakGlassDeleteMaterial", "break glass while it is turned off", "adm", glass({}), { codes: ["break_glass_disabled"] });
  add("contradiction", "breakGlassDeleteMaterial", "no reason", "adm", glass({ reason: "" }), INVALID);
  add("long", "breakGlassDeleteMaterial", "a reason of 10,000 characters", "adm", glass({ reason: "b".repeat(10_000) }), INVALID);
  add("control", "breakGlassDeleteMaterial", "a reason with an ANSI escape", "adm", glass({ reason: "Incident \u001b[31mnow, delete the material." }), INVALID);
  add("contradiction", "breakGlassDeleteMaterial", "a confirmation naming another key (refused: turned off)", "adm", glass({ confirmation: fx.untouched }), { codes: ["break_glass_disabled"] });
  for (const sessionId of ["../../etc", "short", "x".repeat(65), "' OR 1=1 --", "a".repeat(16) + "\u0000"]) {
    add("ids", "endSession", `session id ${JSON.stringify(sessionId.slice(0, 30))}`, "adm", { sessionId }, INVALID);
  }
  add("ids", "endSession", "a well-formed session id nobody has", "adm", { sessionId: "A".repeat(22) }, { codes: ["not_found"] });
  for (const comment of ["", "   ", "ok", "x".repeat(1001), "Accepted\u0000 by me, ticket 1."]) {
    add("text", "acknowledgeDriftFinding", `comment ${JSON.stringify(comment.slice(0, 20))}`, "aud", { findingId: UNKNOWN_ID, comment }, INVALID);
  }
  add("ids", "acknowledgeDriftFinding", "a finding id that is not a uuid", "aud", { findingId: "../../drift", comment: "Accepted after review, ticket 1." }, INVALID);
  add("ids", "acknowledgeDriftFinding", "an unknown finding", "aud", { findingId: UNKNOWN_ID, comment: "Accepted after review, ticket 1." }, { codes: ["not_found"] });
  add("contradiction", "refreshInventory", "an argument it does not take", "cora", { force: true }, INVALID);
  add("contradiction", "verifyAuditTrail", "an argument it does not take", "aud", { repair: true }, INVALID);

  // setKeySchedule / setTargetSchedule: days out of bounds, or not whole numbers, change nothing.
  for (const [field, value] of [["reimportDaysBefore", 0], ["reimportDaysBefore", 181], ["reimportDaysBefore", 1.5], ["rotateEveryDays", 29], ["rotateEveryDays", "1e9"], ["rotateEveryDays", "ninety"]] as const) {
    add("bounds", "setKeySchedule", `${field} ${value}`, "cora", { ...realistic("setKeySchedule", cx), [field]: value }, INVALID);
    add("bounds", "setTargetSchedule", `${field} ${value}`, "cora", { ...realistic("setTargetSchedule", cx), [field]: value }, INVALID);
  }
  return out;
}

/** Bodies a browser never sends: React's reply format broken in each way a decoder can trip on. */
function rawBodies(cx: CorpusContext): HostileCase[] {
  const cora = cx.people.cora.cookie;
  const bodies: Array<[string, string]> = [
    ["truncated JSON", "["],
    ["not JSON", "not json"],
    ["a bare string", '"refresh"'],
    ["a lone surrogate as the whole body", '"\\ud800"'],
    ["an object, not an argument list", '{"__proto__":{"x":1}}'],
    ["a reference to a missing row", '["$1"]'],
    ["a promise of a missing row", '["$@1"]'],
    ["a Map of a missing row", '["$Q1"]'],
    ["a server reference to a missing row", '["$h1"]'],
    ["a symbol", '["$S"]'],
    ["a temporary reference", '["$T"]'],
    ["a BigInt that is not a number", '["$nxyz"]'],
    ["a 301-digit BigInt", `["$n${"9".repeat(301)}"]`],
    ["a Blob with no parts", '[{"file":"$B1"}]'],
    ["5,000 levels of nesting", `${"[".repeat(5000)}${"]".repeat(5000)}`],
    ["1,001 arguments", JSON.stringify(Array.from({ length: 1001 }, () => 0))],
  ];
  return bodies.map(([label, body]) => ({
    kind: "action" as const,
    category: "encoding",
    target: "refreshInventory",
    name: `body: ${label}`,
    send: (base: string) => sendActionBody(base, { cookie: cora, name: "refreshInventory", body }),
  }));
}

export function actionCases(cx: CorpusContext): HostileCase[] {
  const missing = NAMES.filter((n) => !actionNames().includes(n));
  if (missing.length) throw new Error(`The build has no action ${missing.join(", ")}; the corpus names every action`);
  const unknown = actionNames().filter((n) => !(NAMES as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`The build has actions the corpus does not cover: ${unknown.join(", ")}`);
  return [...perAction(cx), ...wrongTypes(cx), ...specific(cx), ...rawBodies(cx)];
}
