import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { DEFAULT_SECRET_ACCESS_KEY } from "@/lib/emulator";
import { createExternalKeys, download, refreshInventory, startImport, uploadBlob, wrappedMaterial } from "../journey";
import { newResult, runCase, type RunContext, type SuiteResult } from "../run";
import { CLIENT_SECRET, DATA_KEY, NEXTAUTH_SECRET } from "../stack";
import { atRestFindings, filesUnder, spellings } from "./checks-at-rest";

/**
 * What must hold on every answer and everywhere a secret could end up: the security headers and cookie
 * flags; nothing secret in the built client bundle or in what pages send to the browser (the secrets of
 * this run's configuration, an import token, a wrapped blob); and, at rest, import tokens and blobs only
 * as sealed bytes.
 */

const HEADERS: Record<string, RegExp> = {
  "x-frame-options": /^DENY$/,
  "x-content-type-options": /^nosniff$/,
  "referrer-policy": /^no-referrer$/,
  "cross-origin-opener-policy": /^same-origin$/,
  "strict-transport-security": /max-age=\d{7,}/,
};

function missingHeaders(response: Response, page: boolean): string[] {
  const missing = Object.entries(HEADERS)
    .filter(([name, pattern]) => !pattern.test(response.headers.get(name) ?? ""))
    .map(([name]) => name);
  const csp = response.headers.get("content-security-policy") ?? "";
  if (page && !/script-src[^;]*'nonce-[A-Za-z0-9+/=]+'/.test(csp)) missing.push("content-security-policy with a nonce");
  if (page && /'unsafe-eval'/.test(csp)) missing.push("content-security-policy without unsafe-eval");
  return missing;
}

export async function checksSuite(context: RunContext): Promise<SuiteResult> {
  const result = newResult("checks");
  const { stack, actions, people } = context;
  const app = stack.apps[0]!;
  const check = (name: string, body: () => Promise<void>) => runCase(result, name, body);

  // A request with parameters and an uploaded blob: its token and blob are what must never leak.
  const [keyId] = await createExternalKeys(stack, 1, "checks suite");
  await refreshInventory(actions, app.url, people.cora);
  const requestId = await startImport(actions, app.url, people.cora, keyId!);
  const token = Buffer.from(await (await download(app.url, people.cora, requestId, "ImportToken.bin")).arrayBuffer());
  const blob = await wrappedMaterial(app.url, people.cora, requestId);
  await uploadBlob(actions, app.url, people.cora, requestId, blob);

  const secrets: [string, Buffer][] = [
    ...spellings("the next-auth secret", NEXTAUTH_SECRET),
    ...spellings("the OIDC client secret", CLIENT_SECRET),
    ...spellings("the data key", DATA_KEY),
    ...spellings("the AWS secret access key", DEFAULT_SECRET_ACCESS_KEY),
    ...spellings("an import token", token),
    ...spellings("a wrapped blob", blob),
  ];
  if (process.env.DATABASE_URL) secrets.push(["the build's DATABASE_URL", Buffer.from(process.env.DATABASE_URL)]);

  const pages = ["/signin", "/keys", "/imports", `/imports/${requestId}`, "/approvals", "/audit", "/sessions", "/no-access"];
  await check("security headers on every page, route and refusal", async () => {
    const problems: string[] = [];
    const probes: [string, RequestInit, boolean][] = [
      ...pages.map((p): [string, RequestInit, boolean] => [p, { headers: { Cookie: people.adm.cookie } }, true]),
      ["/signin", {}, true],
      ["/keys", { redirect: "manual" }, false],
      ["/api/health", {}, false],
      ["/api/inventory/status", {}, false],
      ["/api/imports/not-a-uuid/files/ImportToken.bin", { headers: { Cookie: people.cora.cookie } }, false],
      ["/api/audit/export?format=csv&from=2026-02-31", { headers: { Cookie: people.aud.cookie } }, false],
      ["/definitely-not-a-page", { headers: { Cookie: people.cora.cookie } }, true],
    ];
    for (const [url, init, page] of probes) {
      const response = await fetch(`${app.url}${url}`, init);
      const missing = missingHeaders(response, page && response.status < 300);
      if (missing.length) problems.push(`${url} (${response.status}) lacks ${missing.join(", ")}`);
      if (response.headers.get("x-powered-by")) problems.push(`${url} says x-powered-by`);
    }
    if (problems.length) throw new Error(problems.join("; "));
  });

  await check("the session cookie is HttpOnly, SameSite=Lax, host-only and expires with the session", async () => {
    const flags = people.cora.attributes ?? [];
    const session = flags.filter((c) => c.name.includes("session-token"));
    if (session.length === 0) throw new Error("no session cookie attributes were recorded at sign-in");
    for (const c of session) {
      if (!c.httpOnly) throw new Error(`${c.name} is readable by scripts`);
      if (c.sameSite !== "Lax" && c.sameSite !== "Strict") throw new Error(`${c.name} is SameSite=${c.sameSite}`);
      if (c.domain.startsWith(".")) throw new Error(`${c.name} is sent to subdomains (${c.domain})`);
      const hours = (c.expires * 1000 - Date.now()) / 3_600_000;
      if (!(hours > 0 && hours <= 12.5)) throw new Error(`${c.name} lives ${hours.toFixed(1)} h`);
    }
  });

  await check("no secret or token in the built client bundle", async () => {
    const files = filesUnder(path.join(process.cwd(), ".next/static")).filter((f) => statSync(f).size < 20_000_000);
    const found: string[] = [];
    for (const file of files) {
      const body = readFileSync(file);
      for (const [name, needle] of secrets) if (body.includes(needle)) found.push(`${name} in ${path.relative(process.cwd(), file)}`);
      const text = body.toString("latin1");
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) found.push(`a private key in ${file}`);
      if (/postgres(ql)?:\/\/[^"'\s]*@/.test(text)) found.push(`a database URL in ${file}`);
    }
    result.notes.push(`client bundle: ${files.length} files scanned for ${secrets.length} secret spellings`);
    if (found.length) throw new Error(found.join("; "));
  });

  await check("no secret or token in what pages and their RSC payloads send to each role", async () => {
    const found: string[] = [];
    let answers = 0;
    for (const person of [people.cora, people.ana, people.aud, people.adm]) {
      for (const page of pages) {
        for (const rsc of [false, true]) {
          const response = await fetch(`${app.url}${page}`, { headers: { Cookie: person.cookie, ...(rsc ? { RSC: "1" } : {}) } });
          const body = Buffer.from(await response.arrayBuffer());
          answers += 1;
          for (const [name, needle] of secrets) if (body.includes(needle)) found.push(`${name} in ${page}${rsc ? " (RSC)" : ""} for ${person.username}`);
        }
      }
    }
    result.notes.push(`pages: ${answers} answers to four roles scanned for ${secrets.length} secret spellings`);
    if (found.length) throw new Error(found.join("; "));
  });

  await check("import tokens and wrapped blobs are sealed at rest", async () => {
    const findings = await atRestFindings(stack, { token, blob, dataKey: DATA_KEY });
    result.notes.push(`at rest: ${findings.checked}`);
    if (findings.problems.length) throw new Error(findings.problems.join("; "));
  });

  result.notes.push(`token fingerprint checked: sha256 ${createHash("sha256").update(token).digest("hex").slice(0, 12)}…`);
  await actions.call(app.url, people.cora, "cancelImportRequest", [{ requestId, reason: "checks suite" }]);
  return result;
}
