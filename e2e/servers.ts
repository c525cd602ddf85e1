/**
 * The servers an end-to-end run starts (playwright.config.ts) and what the tests need to know about them.
 * Fixed loopback ports; every value here is a throwaway test setting.
 */

export const DEMO_PORT = Number(process.env.KEYPORT_E2E_PORT ?? 3100);
export const PRODUCTION_PORT = Number(process.env.KEYPORT_E2E_PRODUCTION_PORT ?? 3101);
export const IDP_PORT = Number(process.env.KEYPORT_E2E_IDP_PORT ?? 3199);
export const EMULATOR_PORT = Number(process.env.KEYPORT_E2E_EMULATOR_PORT ?? 4600);
export const WEBHOOK_PORT = Number(process.env.KEYPORT_E2E_WEBHOOK_PORT ?? 3198);

export const DEMO_URL = `http://127.0.0.1:${DEMO_PORT}`;
export const PRODUCTION_URL = `http://127.0.0.1:${PRODUCTION_PORT}`;
export const IDP_ISSUER = `http://127.0.0.1:${IDP_PORT}`;
/** The KMS + STS emulator behind the demo-mode app (demo seed, admin controls on). */
export const EMULATOR_URL = `http://127.0.0.1:${EMULATOR_PORT}`;
/** `npm run webhook:listen`, the demo-mode app's webhook: `GET /received` lists what it accepted. */
export const WEBHOOK_URL = `http://127.0.0.1:${WEBHOOK_PORT}/`;
export const WEBHOOK_SECRET = "e2e-webhook-secret-0123456789abcdefghij";

/** The production-mode app's next-auth secret: the tests use it to age a session token (auth-oidc.spec.ts). */
export const PRODUCTION_SECRET = "e2e-production-secret-0123456789abcdefghij";

export const IDP_CLIENT = {
  clientId: "keyport-e2e",
  clientSecret: "e2e-client-secret-not-for-real-use",
  redirectUri: `${PRODUCTION_URL}/api/auth/callback/oidc`,
  postLogoutRedirectUri: `${PRODUCTION_URL}/signin?signedOut=1`,
};

export const IDP_NAME = "Acme SSO";

/** Group → role, as an operator would set KEYPORT_ROLE_MAP. */
export const ROLE_MAP = { "kms-custodians": "custodian", "kms-approvers": "approver", "security-audit": "auditor" };
/** E-mail → role (KEYPORT_EMAIL_ROLES); the case differs from the provider's on purpose. */
export const EMAIL_ROLES = { "ada.okonkwo@idp.test": ["admin"] };

/** People the test identity provider knows, by username, with the roles Keyport should give them. */
export const IDP_PEOPLE = {
  olivia: { name: "Olivia Bennett", email: "olivia.bennett@idp.test", groups: ["kms-custodians", "all-staff"], roles: ["Custodian"] },
  priya: { name: "Priya Raman", email: "priya.raman@idp.test", groups: ["kms-approvers", "security-audit"], roles: ["Approver", "Auditor"] },
  ada: { name: "Ada Okonkwo", email: "Ada.Okonkwo@IdP.test", groups: ["platform"], roles: ["Admin"] },
  // "KMS-Custodians" is not "kms-custodians": group names match exactly, so Sam has no role.
  sam: { name: "Sam Whitaker", email: "sam.whitaker@idp.test", groups: ["marketing", "KMS-Custodians"], roles: [] },
} as const;
export type IdpUsername = keyof typeof IDP_PEOPLE;

/**
 * Playwright starts its servers with the runner's environment underneath these: a DATABASE_URL exported for the
 * PostgreSQL test variants would put them on that database instead of the run's fresh data directory. Empty
 * means unset to Keyport.
 */
const NO_DATABASE = { DATABASE_URL: "", KEYPORT_MIGRATION_DATABASE_URL: "" };

/** The production-mode app's environment: real OpenID Connect, no demo people. */
export function productionEnv(dataDir: string): Record<string, string> {
  return {
    KEYPORT_MODE: "production",
    NEXTAUTH_URL: PRODUCTION_URL,
    NEXTAUTH_SECRET: PRODUCTION_SECRET,
    KEYPORT_OIDC_ISSUER: IDP_ISSUER,
    KEYPORT_OIDC_CLIENT_ID: IDP_CLIENT.clientId,
    KEYPORT_OIDC_CLIENT_SECRET: IDP_CLIENT.clientSecret,
    KEYPORT_OIDC_NAME: IDP_NAME,
    KEYPORT_OIDC_SCOPES: "openid email profile groups",
    KEYPORT_ROLE_MAP: JSON.stringify(ROLE_MAP),
    KEYPORT_EMAIL_ROLES: JSON.stringify(EMAIL_ROLES),
    KEYPORT_TARGETS: JSON.stringify([
      { id: "e2e-sandbox", name: "E2E sandbox", accountId: "111122223333", roleArn: "arn:aws:iam::111122223333:role/KeyportE2E", regions: ["eu-west-1"] },
    ]),
    // Nothing listens here: any AWS call fails at once instead of leaving the machine.
    KEYPORT_AWS_ENDPOINT: "http://127.0.0.1:3198",
    KEYPORT_INVENTORY_INTERVAL_MINUTES: "0",
    KEYPORT_DATA_KEY: Buffer.alloc(32, 42).toString("base64"),
    KEYPORT_DATA_DIR: dataDir,
    ...NO_DATABASE,
    NEXT_TELEMETRY_DISABLED: "1",
  };
}

/**
 * The demo-mode app's environment: the emulator's demo seed, with all three of its accounts as targets —
 * including "Quarantined Sandbox", whose role refuses every AssumeRole, so the inventory's error state is
 * exercised beside working accounts. The account ids and role names are the emulator seed's (lib/emulator/seed.ts).
 */
export const DEMO_TARGETS = [
  {
    id: "payments-production",
    name: "Payments Production",
    accountId: "222222222222",
    roleArn: "arn:aws:iam::222222222222:role/KeyportImportRole",
    externalId: "keyport-demo-external-id",
    // eu-central-1 holds only multi-Region replicas of the seed's production keys.
    regions: ["eu-west-1", "us-east-1", "eu-central-1"],
  },
  {
    id: "data-platform-staging",
    name: "Data Platform Staging",
    accountId: "333333333333",
    roleArn: "arn:aws:iam::333333333333:role/KeyportImportRole",
    regions: ["eu-west-1", "us-east-1"],
  },
  {
    id: "quarantined-sandbox",
    name: "Quarantined Sandbox",
    accountId: "444444444444",
    roleArn: "arn:aws:iam::444444444444:role/KeyportImportRole",
    regions: ["eu-west-1"],
  },
];

export function demoEnv(dataDir: string): Record<string, string> {
  return {
    KEYPORT_MODE: "demo",
    KEYPORT_DATA_DIR: dataDir,
    NEXTAUTH_URL: DEMO_URL,
    KEYPORT_TARGETS: JSON.stringify(DEMO_TARGETS),
    KEYPORT_AWS_ENDPOINT: EMULATOR_URL,
    // e2e/break-glass.spec.ts uses it on a key no other spec reads; the reliability stack leaves it off.
    KEYPORT_BREAK_GLASS: "enabled",
    KEYPORT_WEBHOOK_URL: WEBHOOK_URL,
    KEYPORT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // The emulator's default base credentials (lib/emulator/index.ts), found by the SDK's default chain.
    AWS_ACCESS_KEY_ID: "AKIAKEYPORTEMULATOR",
    AWS_SECRET_ACCESS_KEY: "keyport-emulator-secret-not-a-real-aws-key",
    AWS_REGION: "eu-west-1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...NO_DATABASE,
    NEXT_TELEMETRY_DISABLED: "1",
  };
}
