import path from "node:path";
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  MODES,
  roleMapSchema,
  targetsSchema,
  type Config,
  type Mode,
  type RoleMap,
  type Target,
} from "./schema";

/**
 * Turns an environment (and, optionally, the text of keyport.config.json) into
 * a validated Config. Pure, so every rejection can be unit-tested; `index.ts`
 * is what reads the real `process.env`.
 */

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Keyport cannot start: ${problems.length} configuration problem${problems.length === 1 ? "" : "s"}.\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        "\nSee README.md, section \"Configuration for real AWS\".",
    );
    this.name = "ConfigError";
  }
}

// Demo mode only: fixed, public values so `npm run demo` needs no setup. They
// protect nothing, which is why production refuses to start without real ones.
const DEMO_SECRET = "keyport-demo-secret-not-for-production-use-0000";
const DEMO_DATA_KEY = createHash("sha256").update("keyport demo data key - public, demo only").digest();


type Problems = string[];

function readJson(name: string, text: string, problems: Problems): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    problems.push(`${name} is not valid JSON (${(e as SyntaxError).message}).`);
    return undefined;
  }
}

function describeIssues(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const at = issue.path.length ? `${prefix}${issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}` : prefix;
    return `${at} ${issue.message}.`;
  });
}

function intSetting(env: Env, name: string, fallback: number, min: number, max: number, problems: Problems): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}; it is "${raw}".`);
    return fallback;
  }
  return n;
}

/** KEYPORT_BREAK_GLASS: `enabled` or `disabled` (the default); anything else is a mistake worth stopping for. */
function parseBreakGlass(env: Env, problems: Problems): boolean {
  const raw = env.KEYPORT_BREAK_GLASS?.trim();
  if (!raw || raw === "disabled") return false;
  if (raw === "enabled") return true;
  problems.push(`KEYPORT_BREAK_GLASS must be "enabled" or "disabled"; it is "${env.KEYPORT_BREAK_GLASS}".`);
  return false;
}

function parseTargets(env: Env, configFileText: string | undefined, problems: Problems): Target[] {
  let raw: unknown;
  let source: string;
  if (env.KEYPORT_TARGETS !== undefined && env.KEYPORT_TARGETS.trim() !== "") {
    source = "KEYPORT_TARGETS";
    raw = readJson(source, env.KEYPORT_TARGETS, problems);
  } else if (configFileText !== undefined) {
    source = "keyport.config.json";
    const file = readJson(source, configFileText, problems);
    if (file !== undefined && (typeof file !== "object" || file === null || !("targets" in file))) {
      problems.push(`${source} must be an object with a "targets" array.`);
      return [];
    }
    raw = (file as { targets?: unknown } | undefined)?.targets;
  } else {
    return [];
  }
  if (raw === undefined) return [];
  const parsed = targetsSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(...describeIssues(`${source}`, parsed.error));
    return [];
  }
  return parsed.data;
}

function parseRoleMap(env: Env, name: string, problems: Problems): RoleMap {
  const text = env[name];
  if (text === undefined || text.trim() === "") return {};
  const raw = readJson(name, text, problems);
  if (raw === undefined) return {};
  const parsed = roleMapSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(
      ...describeIssues(name, parsed.error).map((p) => `${p} (expected e.g. {"kms-custodians":"custodian","kms-approvers":["approver"]})`),
    );
    return {};
  }
  return parsed.data;
}

function parseDataKey(env: Env, mode: Mode, problems: Problems): Buffer {
  const raw = env.KEYPORT_DATA_KEY;
  if (raw === undefined || raw.trim() === "") {
    if (mode === "demo") return DEMO_DATA_KEY;
    problems.push("KEYPORT_DATA_KEY is not set: give 32 random bytes, base64-encoded (`openssl rand -base64 32`).");
    return Buffer.alloc(32);
  }
  const key = Buffer.from(raw.trim(), "base64");
  if (key.length !== 32 || key.toString("base64") !== raw.trim()) {
    problems.push(`KEYPORT_DATA_KEY must be exactly 32 bytes in standard base64 (\`openssl rand -base64 32\`); it decodes to ${key.length} bytes.`);
  }
  return key;
}

/**
 * Earlier data keys, still accepted for reading secrets sealed under them until `npm run data-key:reseal`
 * has re-sealed everything under KEYPORT_DATA_KEY: comma-separated, each 32 bytes in standard base64.
 */
function parsePreviousDataKeys(env: Env, current: Buffer, problems: Problems): Buffer[] {
  const raw = env.KEYPORT_DATA_KEY_PREVIOUS;
  if (raw === undefined || raw.trim() === "") return [];
  const keys: Buffer[] = [];
  raw.split(",").forEach((item, index) => {
    const text = item.trim();
    const key = Buffer.from(text, "base64");
    if (text === "" || key.length !== 32 || key.toString("base64") !== text) {
      problems.push(
        `KEYPORT_DATA_KEY_PREVIOUS entry ${index + 1} must be exactly 32 bytes in standard base64 (separate several keys with commas); it decodes to ${key.length} bytes.`,
      );
    } else if (key.equals(current)) {
      problems.push(`KEYPORT_DATA_KEY_PREVIOUS entry ${index + 1} is the current KEYPORT_DATA_KEY; list only earlier keys.`);
    } else if (!keys.some((k) => k.equals(key))) {
      keys.push(key);
    }
  });
  return keys;
}

function parseUrl(env: Env, name: string, problems: Problems, opts: { httpsUnlessLoopback: boolean }): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name} must be an absolute URL such as https://keyport.example.com; it is "${raw}".`);
    return undefined;
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (opts.httpsUnlessLoopback && url.protocol !== "https:" && !loopback) {
    problems.push(`${name} must use https:// (only loopback addresses may use http://); it is "${raw}".`);
  }
  return raw.replace(/\/$/, "");
}

/**
 * DescribeKey calls in flight per target and Region. 16 is about 1,600/s at 10 ms a call: under KMS's 2,000/s per
 * account and Region, with room left for the account's other callers.
 */
export const DEFAULT_DESCRIBE_CONCURRENCY = 16;

const DEFAULT_OIDC_SCOPES = "openid email profile";

// RFC 6749 §3.3 scope-token: printable ASCII except space, double quote and backslash.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function parseScopes(env: Env, problems: Problems): string {
  const raw = env.KEYPORT_OIDC_SCOPES;
  if (raw === undefined || raw.trim() === "") return DEFAULT_OIDC_SCOPES;
  const scopes = raw.trim().split(/\s+/);
  const bad = scopes.filter((s) => !SCOPE_TOKEN.test(s));
  if (bad.length) {
    problems.push(`KEYPORT_OIDC_SCOPES must be space-separated scope names; ${bad.map((b) => `"${b}"`).join(", ")} cannot be one.`);
  } else if (!scopes.includes("openid")) {
    problems.push(`KEYPORT_OIDC_SCOPES must include "openid" (e.g. "${DEFAULT_OIDC_SCOPES} groups"); it is "${raw.trim()}".`);
  }
  return [...new Set(scopes)].join(" ");
}

export function loadConfig(env: Env, configFileText?: string): Config {
  const problems: Problems = [];

  const modeRaw = env.KEYPORT_MODE?.trim() || "production";
  let mode: Mode = "production";
  if ((MODES as readonly string[]).includes(modeRaw)) mode = modeRaw as Mode;
  else problems.push(`KEYPORT_MODE must be "demo" or "production"; it is "${modeRaw}".`);

  const targets = parseTargets(env, configFileText, problems);

  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push("DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/db), or unset to use the embedded database.");
  }
  const migrationUrl = env.KEYPORT_MIGRATION_DATABASE_URL?.trim() || undefined;
  if (migrationUrl && !databaseUrl) {
    problems.push("KEYPORT_MIGRATION_DATABASE_URL is for PostgreSQL: set DATABASE_URL too (Keyport's own, less privileged role), or unset it.");
  } else if (migrationUrl && !/^postgres(ql)?:\/\//.test(migrationUrl)) {
    problems.push("KEYPORT_MIGRATION_DATABASE_URL must be a PostgreSQL URL (postgres://owner:password@host:5432/db), or unset.");
  }
  // Demo mode signs anyone in as any demo person, admin included: on a shared or real database that would hand
  // its requests and audit trail to whoever opens the page. The demo keeps its own embedded database.
  if (mode === "demo" && (databaseUrl || migrationUrl)) {
    problems.push(
      "Demo mode keeps its own embedded database under KEYPORT_DATA_DIR and lets anyone sign in: unset DATABASE_URL " +
        "and KEYPORT_MIGRATION_DATABASE_URL, or set KEYPORT_MODE=production to use PostgreSQL.",
    );
  }
  const dataDir = env.KEYPORT_DATA_DIR?.trim() || ".data";

  let secret = env.NEXTAUTH_SECRET ?? "";
  if (secret === "") {
    if (mode === "demo") secret = DEMO_SECRET;
    else problems.push("NEXTAUTH_SECRET is not set: give at least 32 random characters (`openssl rand -base64 32`).");
  } else if (secret.length < 32) {
    problems.push(`NEXTAUTH_SECRET is too short (${secret.length} characters); use at least 32 (\`openssl rand -base64 32\`).`);
  }
  const authUrl = parseUrl(env, "NEXTAUTH_URL", problems, { httpsUnlessLoopback: mode === "production" });

  const issuer = parseUrl(env, "KEYPORT_OIDC_ISSUER", problems, { httpsUnlessLoopback: true });
  const clientId = env.KEYPORT_OIDC_CLIENT_ID?.trim() || undefined;
  const clientSecret = env.KEYPORT_OIDC_CLIENT_SECRET || undefined;
  const anyOidc = issuer || clientId || clientSecret;
  let oidc: Config["auth"]["oidc"];
  if (anyOidc) {
    const missing = [
      !issuer && "KEYPORT_OIDC_ISSUER",
      !clientId && "KEYPORT_OIDC_CLIENT_ID",
      !clientSecret && "KEYPORT_OIDC_CLIENT_SECRET",
    ].filter(Boolean);
    if (missing.length) problems.push(`OpenID Connect is half-configured: also set ${missing.join(", ")}.`);
    else
      oidc = {
        issuer: issuer!,
        clientId: clientId!,
        clientSecret: clientSecret!,
        scopes: parseScopes(env, problems),
        groupsClaim: env.KEYPORT_OIDC_GROUPS_CLAIM?.trim() || "groups",
        name: env.KEYPORT_OIDC_NAME?.trim() || "your identity provider",
      };
  }
  const roleMap = parseRoleMap(env, "KEYPORT_ROLE_MAP", problems);
  const emailRoles = parseRoleMap(env, "KEYPORT_EMAIL_ROLES", problems);

  const approvalsRequired = intSetting(env, "KEYPORT_APPROVALS_REQUIRED", 1, 1, 5, problems);
  const expiryWarningDays = intSetting(env, "KEYPORT_EXPIRY_WARNING_DAYS", 14, 1, 365, problems);
  // At least 30 s: an import is not declared interrupted while its own retries could still be running.
  const interruptedAfterSeconds = intSetting(env, "KEYPORT_INTERRUPTED_AFTER_SECONDS", 15 * 60, 30, 24 * 60 * 60, problems);
  // Roles are read at sign-in and kept for the session: its length is how long a revoked role can linger.
  const sessionMinutes = intSetting(env, "KEYPORT_SESSION_MINUTES", 8 * 60, 15, 12 * 60, problems);
  const describeConcurrency = intSetting(env, "KEYPORT_INVENTORY_CONCURRENCY", DEFAULT_DESCRIBE_CONCURRENCY, 1, 500, problems);
  const refreshIntervalMinutes = intSetting(env, "KEYPORT_INVENTORY_INTERVAL_MINUTES", 15, 0, 1440, problems);
  const breakGlass = parseBreakGlass(env, problems);
  const dataKey = parseDataKey(env, mode, problems);
  const previousDataKeys = parsePreviousDataKeys(env, dataKey, problems);
  const endpoint = parseUrl(env, "KEYPORT_AWS_ENDPOINT", problems, { httpsUnlessLoopback: true });
  const auditSigning = parseAuditSigning(env, targets, dataDir, problems);
  const webhook = parseWebhook(env, authUrl, problems);

  if (mode === "production") {
    if (targets.length === 0 && !problems.some((p) => p.startsWith("KEYPORT_TARGETS") || p.startsWith("keyport.config.json")))
      problems.push("No targets: set KEYPORT_TARGETS (JSON array) or create keyport.config.json with {\"targets\":[...]}.");
    if (!oidc && !anyOidc)
      problems.push("No sign-in provider: set KEYPORT_OIDC_ISSUER, KEYPORT_OIDC_CLIENT_ID and KEYPORT_OIDC_CLIENT_SECRET.");
    if (Object.keys(roleMap).length === 0 && Object.keys(emailRoles).length === 0)
      problems.push("Nobody can be given a role: set KEYPORT_ROLE_MAP (group → role) and/or KEYPORT_EMAIL_ROLES (e-mail → role).");
    if (!authUrl) problems.push("NEXTAUTH_URL is not set: give the public URL of Keyport, e.g. https://keyport.example.com.");
  }

  if (problems.length) throw new ConfigError(problems);

  return {
    mode,
    targets,
    database: { url: databaseUrl, migrationUrl, dataDir },
    auth: { secret, url: authUrl, oidc, roleMap, emailRoles, sessionMaxAgeSeconds: sessionMinutes * 60 },
    policy: { approvalsRequired, expiryWarningDays, interruptedAfterSeconds, breakGlass },
    inventory: { describeConcurrency, refreshIntervalMinutes },
    dataKey,
    previousDataKeys,
    aws: { endpoint },
    auditSigning,
    webhook,
  };
}

// arn:<partition>:kms:<region>:<account>:key/<key id>
const SIGNING_KEY_ARN = /^arn:aws(-cn|-us-gov)?:kms:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * The KMS key that signs audit checkpoints (KEYPORT_AUDIT_SIGNING_KEY, a key ARN) — used under Keyport's own
 * role in the target of its account and Region, so that target must list that Region — with the public key's
 * pinned SHA-256 fingerprint, how often to sign, and the directory outside the database that keeps a copy of
 * every checkpoint. Unset: no checkpoints.
 */
function parseAuditSigning(env: Env, targets: Target[], dataDir: string, problems: Problems): Config["auditSigning"] {
  const minutes = intSetting(env, "KEYPORT_AUDIT_CHECKPOINT_MINUTES", 60, 1, 24 * 60, problems);
  const arn = env.KEYPORT_AUDIT_SIGNING_KEY?.trim();
  if (!arn) return undefined;
  const match = SIGNING_KEY_ARN.exec(arn);
  if (!match) {
    problems.push("KEYPORT_AUDIT_SIGNING_KEY must be a KMS key ARN such as arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab.");
    return undefined;
  }
  const [, , region, accountId] = match as unknown as [string, string, string, string];
  const target = targets.find((t) => t.accountId === accountId && t.regions.includes(region));
  if (!target) {
    problems.push(`KEYPORT_AUDIT_SIGNING_KEY is in account ${accountId}, ${region}: add that account and Region to a target, so Keyport can sign with its own role there.`);
    return undefined;
  }
  const fingerprint = env.KEYPORT_AUDIT_SIGNING_KEY_FINGERPRINT?.trim().toLowerCase() || undefined;
  if (fingerprint !== undefined && !/^[0-9a-f]{64}$/.test(fingerprint)) {
    problems.push("KEYPORT_AUDIT_SIGNING_KEY_FINGERPRINT must be the SHA-256 of the key's public key (DER), 64 hex digits; Keyport logs it when it first signs.");
  }
  const directory = env.KEYPORT_AUDIT_CHECKPOINT_DIR?.trim() || path.join(dataDir, "audit-checkpoints");
  return { keyArn: arn, targetId: target.id, region, fingerprint, intervalMinutes: minutes, directory };
}

const WEBHOOK_SECRET_MIN = 32;

/**
 * Where notifications go (KEYPORT_WEBHOOK_URL) and the secret that signs them (KEYPORT_WEBHOOK_SECRET). Unset:
 * no notifications, and nothing accumulates in the outbox. The URL is never echoed: a Slack or Teams webhook URL
 * carries its own secret in the path, so problems name only its scheme and host.
 */
function parseWebhook(env: Env, publicUrl: string | undefined, problems: Problems): Config["webhook"] {
  const raw = env.KEYPORT_WEBHOOK_URL?.trim();
  const secret = env.KEYPORT_WEBHOOK_SECRET ?? "";
  if (!raw) {
    if (secret) problems.push("KEYPORT_WEBHOOK_SECRET is set but KEYPORT_WEBHOOK_URL is not: set the URL to send notifications, or unset the secret.");
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push("KEYPORT_WEBHOOK_URL must be an absolute URL such as https://hooks.slack.com/services/…");
    return undefined;
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    problems.push(`KEYPORT_WEBHOOK_URL must use https:// (only 127.0.0.1, ::1 and localhost may use http://); it is ${url.protocol}//${url.host}/….`);
  }
  if (secret === "") {
    problems.push(`KEYPORT_WEBHOOK_SECRET is not set: notifications are signed with it; give at least ${WEBHOOK_SECRET_MIN} random characters (\`openssl rand -hex 32\`).`);
  } else if (secret.length < WEBHOOK_SECRET_MIN) {
    problems.push(`KEYPORT_WEBHOOK_SECRET is too short (${secret.length} characters); use at least ${WEBHOOK_SECRET_MIN} (\`openssl rand -hex 32\`).`);
  }
  if (!publicUrl) problems.push("KEYPORT_WEBHOOK_URL needs NEXTAUTH_URL too: notifications link to Keyport's public URL.");
  return { url: raw, secret, publicUrl: publicUrl ?? "" };
}
