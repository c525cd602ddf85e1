import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, type Env } from "./load";

const target = {
  id: "payments-prod",
  name: "Payments production",
  accountId: "111122223333",
  roleArn: "arn:aws:iam::111122223333:role/KeyportAccess",
  regions: ["eu-west-1", "us-east-1"],
};

const production: Env = {
  KEYPORT_MODE: "production",
  KEYPORT_TARGETS: JSON.stringify([target]),
  NEXTAUTH_SECRET: "x".repeat(40),
  NEXTAUTH_URL: "https://keyport.example.com",
  KEYPORT_OIDC_ISSUER: "https://idp.example.com/realms/sec",
  KEYPORT_OIDC_CLIENT_ID: "keyport",
  KEYPORT_OIDC_CLIENT_SECRET: "s3cret",
  KEYPORT_ROLE_MAP: JSON.stringify({ "kms-custodians": "custodian", "kms-approvers": ["approver", "auditor"] }),
  KEYPORT_DATA_KEY: Buffer.alloc(32, 7).toString("base64"),
};

function problemsOf(env: Env, file?: string): string[] {
  try {
    loadConfig(env, file);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected the configuration to be refused");
}

describe("loadConfig: demo mode", () => {
  it("needs nothing and uses the documented defaults", () => {
    const c = loadConfig({ KEYPORT_MODE: "demo" });
    expect(c.mode).toBe("demo");
    expect(c.targets).toEqual([]);
    expect(c.database).toEqual({ url: undefined, migrationUrl: undefined, dataDir: ".data" });
    expect(c.policy).toEqual({ approvalsRequired: 1, expiryWarningDays: 14, interruptedAfterSeconds: 900, breakGlass: false });
    expect(c.inventory).toEqual({ describeConcurrency: 16, refreshIntervalMinutes: 15 });
    expect(c.dataKey).toHaveLength(32);
    expect(c.auth.secret.length).toBeGreaterThanOrEqual(32);
    expect(c.auth.sessionMaxAgeSeconds).toBe(8 * 3600);
    expect(c.auth.oidc).toBeUndefined();
  });

  it("refuses a PostgreSQL database: anyone may sign in as a demo admin, so it keeps to its own embedded one", () => {
    for (const env of [
      { KEYPORT_MODE: "demo", DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test" },
      { KEYPORT_MODE: "demo", DATABASE_URL: "postgres://app@db/keyport", KEYPORT_MIGRATION_DATABASE_URL: "postgres://owner@db/keyport" },
    ]) {
      expect(problemsOf(env)).toEqual([
        "Demo mode keeps its own embedded database under KEYPORT_DATA_DIR and lets anyone sign in: unset DATABASE_URL " +
          "and KEYPORT_MIGRATION_DATABASE_URL, or set KEYPORT_MODE=production to use PostgreSQL.",
      ]);
    }
    // Empty is unset: how the e2e servers clear what Playwright would otherwise pass through.
    expect(loadConfig({ KEYPORT_MODE: "demo", DATABASE_URL: "", KEYPORT_MIGRATION_DATABASE_URL: "" }).database.url).toBeUndefined();
  });

  it("still validates what is given", () => {
    expect(problemsOf({ KEYPORT_MODE: "demo", KEYPORT_APPROVALS_REQUIRED: "0" })).toEqual([
      'KEYPORT_APPROVALS_REQUIRED must be a whole number from 1 to 5; it is "0".',
    ]);
  });

  it("turns break glass on only when told exactly, and refuses a setting it cannot read", () => {
    expect(loadConfig({ KEYPORT_MODE: "demo", KEYPORT_BREAK_GLASS: "enabled" }).policy.breakGlass).toBe(true);
    expect(loadConfig({ KEYPORT_MODE: "demo", KEYPORT_BREAK_GLASS: "disabled" }).policy.breakGlass).toBe(false);
    expect(loadConfig({ KEYPORT_MODE: "demo", KEYPORT_BREAK_GLASS: "" }).policy.breakGlass).toBe(false);
    expect(problemsOf({ KEYPORT_MODE: "demo", KEYPORT_BREAK_GLASS: "true" })).toEqual(['KEYPORT_BREAK_GLASS must be "enabled" or "disabled"; it is "true".']);
  });
});

describe("loadConfig: production mode", () => {
  it("accepts a complete configuration", () => {
    const c = loadConfig(production);
    expect(c.mode).toBe("production");
    expect(c.targets).toEqual([target]);
    expect(c.auth.oidc).toMatchObject({
      issuer: "https://idp.example.com/realms/sec",
      clientId: "keyport",
      groupsClaim: "groups",
      scopes: "openid email profile",
    });
    expect(c.auth.roleMap).toEqual({ "kms-custodians": ["custodian"], "kms-approvers": ["approver", "auditor"] });
    expect(c.dataKey.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it("reads earlier data keys for reading only, and refuses malformed ones or the current key", () => {
    const a = Buffer.alloc(32, 1).toString("base64");
    const b = Buffer.alloc(32, 2).toString("base64");
    expect(loadConfig(production).previousDataKeys).toEqual([]);
    expect(loadConfig({ ...production, KEYPORT_DATA_KEY_PREVIOUS: `${a}, ${b}` }).previousDataKeys).toEqual([
      Buffer.alloc(32, 1),
      Buffer.alloc(32, 2),
    ]);
    expect(problemsOf({ ...production, KEYPORT_DATA_KEY_PREVIOUS: `${a},c2hvcnQ=` })).toEqual([
      expect.stringMatching(/^KEYPORT_DATA_KEY_PREVIOUS entry 2 must be exactly 32 bytes.*decodes to 5 bytes/),
    ]);
    expect(problemsOf({ ...production, KEYPORT_DATA_KEY_PREVIOUS: production.KEYPORT_DATA_KEY })).toEqual([
      expect.stringMatching(/entry 1 is the current KEYPORT_DATA_KEY/),
    ]);
  });

  it("takes a shorter session length, so a revoked role lingers less", () => {
    expect(loadConfig({ ...production, KEYPORT_SESSION_MINUTES: "60" }).auth.sessionMaxAgeSeconds).toBe(3600);
  });

  it("is the default mode, and names every missing setting at once", () => {
    const problems = problemsOf({});
    expect(problems.join("\n")).toMatch(/NEXTAUTH_SECRET is not set/);
    expect(problems.join("\n")).toMatch(/KEYPORT_DATA_KEY is not set/);
    expect(problems.join("\n")).toMatch(/No targets/);
    expect(problems.join("\n")).toMatch(/No sign-in provider/);
    expect(problems.join("\n")).toMatch(/Nobody can be given a role/);
    expect(problems.join("\n")).toMatch(/NEXTAUTH_URL is not set/);
    expect(problems).toHaveLength(6);
  });

  it("puts every problem in one message that points to the README", () => {
    try {
      loadConfig({});
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toMatch(/^Keyport cannot start: 6 configuration problems\./);
      expect((e as Error).message).toMatch(/Configuration for real AWS/);
    }
  });

  it.each<[string, Env, RegExp]>([
    ["an unknown mode", { KEYPORT_MODE: "staging" }, /KEYPORT_MODE must be "demo" or "production"/],
    ["a short secret", { NEXTAUTH_SECRET: "short" }, /NEXTAUTH_SECRET is too short \(5 characters\)/],
    ["a plain-http public URL", { NEXTAUTH_URL: "http://keyport.example.com" }, /NEXTAUTH_URL must use https:\/\//],
    ["a non-URL", { NEXTAUTH_URL: "keyport" }, /NEXTAUTH_URL must be an absolute URL/],
    ["a half-configured OIDC", { KEYPORT_OIDC_CLIENT_SECRET: "" , KEYPORT_OIDC_CLIENT_ID: "" }, /OpenID Connect is half-configured: also set KEYPORT_OIDC_CLIENT_ID, KEYPORT_OIDC_CLIENT_SECRET/],
    ["a non-https issuer", { KEYPORT_OIDC_ISSUER: "http://idp.example.com" }, /KEYPORT_OIDC_ISSUER must use https/],
    ["a role map that is not JSON", { KEYPORT_ROLE_MAP: "{kms:custodian}" }, /KEYPORT_ROLE_MAP is not valid JSON/],
    ["an unknown role", { KEYPORT_ROLE_MAP: '{"kms":"superuser"}' }, /KEYPORT_ROLE_MAP\.kms .*expected e\.g\./],
    ["an e-mail map with an empty list", { KEYPORT_EMAIL_ROLES: '{"a@example.com":[]}' }, /KEYPORT_EMAIL_ROLES/],
    ["a short data key", { KEYPORT_DATA_KEY: Buffer.alloc(16).toString("base64") }, /KEYPORT_DATA_KEY must be exactly 32 bytes .* decodes to 16 bytes/],
    ["a data key that is not base64", { KEYPORT_DATA_KEY: "!".repeat(44) }, /KEYPORT_DATA_KEY must be exactly 32 bytes/],
    ["a MySQL database URL", { DATABASE_URL: "mysql://root@localhost/db" }, /DATABASE_URL must be a PostgreSQL URL/],
    ["a migration URL without DATABASE_URL", { KEYPORT_MIGRATION_DATABASE_URL: "postgres://owner@db/keyport" }, /KEYPORT_MIGRATION_DATABASE_URL is for PostgreSQL: set DATABASE_URL too/],
    [
      "a migration URL that is not PostgreSQL",
      { DATABASE_URL: "postgres://app@db/keyport", KEYPORT_MIGRATION_DATABASE_URL: "mysql://owner@db/keyport" },
      /KEYPORT_MIGRATION_DATABASE_URL must be a PostgreSQL URL/,
    ],
    ["too many approvals", { KEYPORT_APPROVALS_REQUIRED: "6" }, /KEYPORT_APPROVALS_REQUIRED must be a whole number from 1 to 5; it is "6"/],
    ["a fractional warning window", { KEYPORT_EXPIRY_WARNING_DAYS: "1.5" }, /KEYPORT_EXPIRY_WARNING_DAYS must be a whole number from 1 to 365/],
    ["an interruption limit shorter than an import's own retries", { KEYPORT_INTERRUPTED_AFTER_SECONDS: "5" }, /KEYPORT_INTERRUPTED_AFTER_SECONDS must be a whole number from 30 to 86400/],
    ["an unbounded describe concurrency", { KEYPORT_INVENTORY_CONCURRENCY: "5000" }, /KEYPORT_INVENTORY_CONCURRENCY must be a whole number from 1 to 500/],
    ["a negative refresh interval", { KEYPORT_INVENTORY_INTERVAL_MINUTES: "-1" }, /KEYPORT_INVENTORY_INTERVAL_MINUTES must be a whole number from 0 to 1440/],
    ["a session too short to work in", { KEYPORT_SESSION_MINUTES: "5" }, /KEYPORT_SESSION_MINUTES must be a whole number from 15 to 720/],
    ["a session longer than a working day", { KEYPORT_SESSION_MINUTES: "1440" }, /KEYPORT_SESSION_MINUTES must be a whole number from 15 to 720/],
    ["an http AWS endpoint that is not loopback", { KEYPORT_AWS_ENDPOINT: "http://kms.example.com" }, /KEYPORT_AWS_ENDPOINT must use https/],
    ["targets that are not JSON", { KEYPORT_TARGETS: "[{" }, /KEYPORT_TARGETS is not valid JSON/],
    ["OIDC scopes without openid", { KEYPORT_OIDC_SCOPES: "email profile groups" }, /KEYPORT_OIDC_SCOPES must include "openid"/],
    ["an OIDC scope with a quote", { KEYPORT_OIDC_SCOPES: 'openid "groups"' }, /KEYPORT_OIDC_SCOPES must be space-separated scope names; ""groups"" cannot be one/],
    ["a signing key that is not a KMS key ARN", { KEYPORT_AUDIT_SIGNING_KEY: "alias/audit" }, /KEYPORT_AUDIT_SIGNING_KEY must be a KMS key ARN/],
    [
      "a signing key in an account no target covers",
      { KEYPORT_AUDIT_SIGNING_KEY: "arn:aws:kms:eu-west-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      /KEYPORT_AUDIT_SIGNING_KEY is in account 999988887777, eu-west-1: add that account and Region to a target/,
    ],
    [
      "a signing key in a Region its account's target does not list",
      { KEYPORT_AUDIT_SIGNING_KEY: "arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      /is in account 111122223333, ap-south-1/,
    ],
    [
      "a fingerprint that is not SHA-256 hex",
      { KEYPORT_AUDIT_SIGNING_KEY: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", KEYPORT_AUDIT_SIGNING_KEY_FINGERPRINT: "abc" },
      /KEYPORT_AUDIT_SIGNING_KEY_FINGERPRINT must be the SHA-256/,
    ],
    ["a checkpoint interval of zero", { KEYPORT_AUDIT_CHECKPOINT_MINUTES: "0" }, /KEYPORT_AUDIT_CHECKPOINT_MINUTES must be a whole number from 1 to 1440/],
  ])("refuses %s", (_name, override, expected) => {
    const problems = problemsOf({ ...production, ...override });
    expect(problems.join("\n")).toMatch(expected);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["an id with capitals", { id: "Payments" }, /KEYPORT_TARGETS\[0\]\.id must be 1–63 lowercase/],
    ["a short account id", { accountId: "1234" }, /\[0\]\.accountId must be the 12-digit AWS account id/],
    ["a role ARN for another account", { roleArn: "arn:aws:iam::999999999999:role/KeyportAccess" }, /roleArn names account 999999999999 but accountId is 111122223333/],
    ["a user ARN instead of a role", { roleArn: "arn:aws:iam::111122223333:user/alice" }, /roleArn must be an IAM role ARN/],
    ["no Regions", { regions: [] }, /regions must list at least one Region/],
    ["a bad Region", { regions: ["Frankfurt"] }, /regions\[0\] must be an AWS Region name/],
    ["a repeated Region", { regions: ["eu-west-1", "eu-west-1"] }, /regions must not list a Region twice/],
    ["a one-character external id", { externalId: "x" }, /externalId must be 2–1224 characters/],
    ["an unknown field", { rolearn: "typo" }, /Unrecognized key/i],
  ])("refuses a target with %s", (_name, change, expected) => {
    const problems = problemsOf({ ...production, KEYPORT_TARGETS: JSON.stringify([{ ...target, ...change }]) });
    expect(problems.join("\n")).toMatch(expected);
  });

  it("requests the OIDC scopes it is given, once each", () => {
    const c = loadConfig({ ...production, KEYPORT_OIDC_SCOPES: "  openid email  profile groups openid " });
    expect(c.auth.oidc?.scopes).toBe("openid email profile groups");
  });

  it("refuses two targets with one id", () => {
    const problems = problemsOf({ ...production, KEYPORT_TARGETS: JSON.stringify([target, target]) });
    expect(problems).toEqual(['KEYPORT_TARGETS[1].id "payments-prod" is used by two targets.']);
  });

  it("reads targets from keyport.config.json when KEYPORT_TARGETS is unset", () => {
    const c = loadConfig({ ...production, KEYPORT_TARGETS: undefined }, JSON.stringify({ targets: [target] }));
    expect(c.targets.map((t) => t.id)).toEqual(["payments-prod"]);
  });

  it("refuses a keyport.config.json without a targets array", () => {
    expect(problemsOf({ ...production, KEYPORT_TARGETS: undefined }, "[]").join("\n")).toMatch(
      /keyport\.config\.json must be an object with a "targets" array/,
    );
    expect(problemsOf({ ...production, KEYPORT_TARGETS: undefined }, "{").join("\n")).toMatch(/keyport\.config\.json is not valid JSON/);
  });

  it("accepts a loopback http endpoint (the emulator) and an e-mail role map alone", () => {
    const c = loadConfig({
      ...production,
      KEYPORT_ROLE_MAP: undefined,
      KEYPORT_EMAIL_ROLES: '{"ada@example.com":["custodian","approver"]}',
      KEYPORT_AWS_ENDPOINT: "http://127.0.0.1:4599",
    });
    expect(c.aws.endpoint).toBe("http://127.0.0.1:4599");
    expect(c.auth.emailRoles).toEqual({ "ada@example.com": ["custodian", "approver"] });
  });
});

describe("loadConfig: audit checkpoints", () => {
  const arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

  it("are off without a signing key", () => {
    expect(loadConfig(production).auditSigning).toBeUndefined();
  });

  it("sign with the key in the target of its account and Region, hourly, with a directory beside the data", () => {
    const fingerprint = "AB".repeat(32);
    const c = loadConfig({ ...production, KEYPORT_AUDIT_SIGNING_KEY: arn, KEYPORT_AUDIT_SIGNING_KEY_FINGERPRINT: fingerprint, KEYPORT_DATA_DIR: "/srv/keyport" });
    expect(c.auditSigning).toEqual({
      keyArn: arn,
      targetId: "payments-prod",
      region: "us-east-1",
      fingerprint: fingerprint.toLowerCase(),
      intervalMinutes: 60,
      directory: "/srv/keyport/audit-checkpoints",
    });
  });
});

describe("loadConfig: notifications", () => {
  const secret = "w".repeat(32);

  it("are off unless KEYPORT_WEBHOOK_URL is set", () => {
    expect(loadConfig(production).webhook).toBeUndefined();
  });

  it("take an https URL, or http on loopback, with a secret and the public URL", () => {
    expect(loadConfig({ ...production, KEYPORT_WEBHOOK_URL: "https://hooks.example.com/services/T0/B0/xyz", KEYPORT_WEBHOOK_SECRET: secret }).webhook).toEqual({
      url: "https://hooks.example.com/services/T0/B0/xyz",
      secret,
      publicUrl: "https://keyport.example.com",
    });
    for (const url of ["http://127.0.0.1:3709/hook", "http://localhost:3709", "http://[::1]:3709/"]) {
      expect(loadConfig({ ...production, KEYPORT_WEBHOOK_URL: url, KEYPORT_WEBHOOK_SECRET: secret }).webhook?.url).toBe(url);
    }
  });

  it.each([
    ["http to another host", { KEYPORT_WEBHOOK_URL: "http://hooks.example.com/services/T0/B0/path-secret", KEYPORT_WEBHOOK_SECRET: secret }, /KEYPORT_WEBHOOK_URL must use https:\/\/ .*it is http:\/\/hooks\.example\.com\/…/],
    ["another scheme on loopback", { KEYPORT_WEBHOOK_URL: "ftp://127.0.0.1/x", KEYPORT_WEBHOOK_SECRET: secret }, /KEYPORT_WEBHOOK_URL must use https/],
    ["no URL", { KEYPORT_WEBHOOK_URL: "hooks.example.com", KEYPORT_WEBHOOK_SECRET: secret }, /KEYPORT_WEBHOOK_URL must be an absolute URL/],
    ["no secret", { KEYPORT_WEBHOOK_URL: "https://hooks.example.com/x" }, /KEYPORT_WEBHOOK_SECRET is not set/],
    ["a short secret", { KEYPORT_WEBHOOK_URL: "https://hooks.example.com/x", KEYPORT_WEBHOOK_SECRET: "short" }, /KEYPORT_WEBHOOK_SECRET is too short \(5 characters\)/],
    ["a secret without a URL", { KEYPORT_WEBHOOK_SECRET: secret }, /KEYPORT_WEBHOOK_SECRET is set but KEYPORT_WEBHOOK_URL is not/],
  ])("refuse %s", (_, env, message) => {
    const problems = problemsOf({ ...production, ...env });
    expect(problems).toEqual([expect.stringMatching(message)]);
    // A webhook URL carries its own secret in its path: never in a message.
    expect(problems.join("\n")).not.toContain("path-secret");
  });

  it("need Keyport's public URL for their links", () => {
    expect(problemsOf({ KEYPORT_MODE: "demo", KEYPORT_WEBHOOK_URL: "http://127.0.0.1:3709", KEYPORT_WEBHOOK_SECRET: secret })).toEqual([
      expect.stringMatching(/KEYPORT_WEBHOOK_URL needs NEXTAUTH_URL/),
    ]);
  });
});
