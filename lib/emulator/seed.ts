import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { deriveMaterial, materialIdOf } from "./crypto/material";
import { deterministicKeyId, keyArn, materialScopeOf } from "./ids";
import { familyOf, type KeySpec, type KeyUsage } from "./kms/key-specs";
import type { KeyOrigin, KeyRecord, MaterialRecord, RoleRecord, Store } from "./state";

/**
 * Seeds: `demo` (a small, realistic estate for the demo and e2e tests), `scale:N[:externalPercent]` (many
 * cheap keys for benchmarks and pagination) and `none` (only the base account).
 */

export type SeedName = "demo" | "none" | `scale:${number}` | `scale:${number}:${number}`;

export type ParsedSeed =
  | { kind: "demo" }
  | { kind: "none" }
  | { kind: "scale"; count: number; externalPercent: number };

export function parseSeed(value: string): ParsedSeed {
  if (value === "demo" || value === "none") return { kind: value };
  const match = /^scale:(\d+)(?::(\d+(?:\.\d+)?))?$/.exec(value);
  if (!match) throw new Error(`Unknown seed '${value}'. Use demo, none, scale:N or scale:N:externalPercent.`);
  const count = Number(match[1]);
  const externalPercent = match[2] === undefined ? 5 : Number(match[2]);
  if (externalPercent > 100) throw new Error(`The EXTERNAL share of seed '${value}' must be at most 100.`);
  return { kind: "scale", count, externalPercent };
}

export const SEEDED_REGIONS = ["eu-west-1", "us-east-1"];
/** The demo adds a third Region, where only a multi-Region replica lives. */
export const DEMO_REGIONS = [...SEEDED_REGIONS, "eu-central-1"];

interface SeedAccount {
  accountId: string;
  name: string;
  roleName: string;
  externalId?: string;
  /** Accounts the role's trust policy admits; "base" stands for the emulator's base account. */
  trusts: Array<"base" | string>;
}

export const PRODUCTION_ACCOUNT = "222222222222";
export const STAGING_ACCOUNT = "333333333333";
export const REFUSING_ACCOUNT = "444444444444";

const SEED_ACCOUNTS: SeedAccount[] = [
  { accountId: PRODUCTION_ACCOUNT, name: "Payments Production", roleName: "KeyportImportRole", externalId: "keyport-demo-external-id", trusts: ["base"] },
  // Also trusts the production account, so a production role session can chain into it.
  { accountId: STAGING_ACCOUNT, name: "Data Platform Staging", roleName: "KeyportImportRole", trusts: ["base", PRODUCTION_ACCOUNT] },
  // Its trust policy admits no one: every AssumeRole is refused (AccessDenied), for the negative paths.
  { accountId: REFUSING_ACCOUNT, name: "Quarantined Sandbox", roleName: "KeyportImportRole", trusts: [] },
];

function addAccounts(store: Store): void {
  for (const account of SEED_ACCOUNTS) {
    store.accounts.set(account.accountId, { accountId: account.accountId, name: account.name });
    const arn = `arn:aws:iam::${account.accountId}:role/${account.roleName}`;
    const role: RoleRecord = {
      arn,
      accountId: account.accountId,
      name: account.roleName,
      externalId: account.externalId,
      trustedAccountIds: account.trusts.map((t) => (t === "base" ? store.base.accountId : t)),
      maxSessionDurationSeconds: 43200,
      roleId: `AROA${createHash("sha256").update(arn).digest("hex").slice(0, 17).toUpperCase()}`,
    };
    store.roles.set(arn, role);
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
const AUDIT_SIGNING_LABEL = "keyport-audit-signing";

type SeedState =
  | { kind: "pending-import" }
  | { kind: "enabled"; expiresInDays?: number }
  | { kind: "disabled"; expiresInDays?: number }
  | { kind: "pending-deletion"; deletionInDays: number }
  | { kind: "pending-rotation" };

interface KeyTemplate {
  accountId: string;
  region: string;
  label: string;
  spec: KeySpec;
  usage?: KeyUsage;
  origin: KeyOrigin;
  state: SeedState;
  alias?: string;
  description: string;
  ageDays: number;
  multiRegion?: boolean;
  awsManaged?: boolean;
  tags?: Record<string, string>;
}

type MultiRegionSeed = {
  label: string;
  alias: string;
  description: string;
  ageDays: number;
  /** The primary's state, in the first demo Region. */
  state: SeedState;
  replicas: Array<{ region: string; state: SeedState; description: string; ageDays: number }>;
};

/**
 * Multi-Region EXTERNAL symmetric keys in the production account, primary in the first demo Region.
 * payments-mrk: material imported in the primary, a replica in us-east-1 that took the same material (its
 * ValidTo sooner than the primary's: expiry is per key), one in eu-central-1 still awaiting its own import
 * (KMS never copies imported material to replicas). treasury-mrk: waiting for material in every Region,
 * for a multi-Region import from the start.
 */
const DEMO_MULTI_REGION: MultiRegionSeed[] = [
  {
    label: "payments-mrk",
    alias: "alias/keyport/payments-mrk",
    description: "Payments multi-Region key-encryption key (imported; replicas in us-east-1 and eu-central-1)",
    ageDays: 45,
    state: { kind: "enabled", expiresInDays: 180 },
    replicas: [
      { region: "us-east-1", state: { kind: "enabled", expiresInDays: 30 }, description: "Payments multi-Region key, us-east-1 replica (material imported)", ageDays: 44 },
      { region: "eu-central-1", state: { kind: "pending-import" }, description: "Payments multi-Region key, eu-central-1 replica (awaiting import)", ageDays: 1 },
    ],
  },
  {
    label: "treasury-mrk",
    alias: "alias/keyport/treasury-mrk",
    description: "Treasury multi-Region key-encryption key, awaiting its first import in every Region",
    ageDays: 3,
    state: { kind: "pending-import" },
    replicas: [
      { region: "us-east-1", state: { kind: "pending-import" }, description: "Treasury multi-Region key, us-east-1 replica (awaiting import)", ageDays: 3 },
      { region: "eu-central-1", state: { kind: "pending-import" }, description: "Treasury multi-Region key, eu-central-1 replica (awaiting import)", ageDays: 3 },
    ],
  },
];

/** The tag that puts a key under Keyport's dual control before Keyport touched it (lib/drift CONTROL_TAG). */
export const DUAL_CONTROL_TAG = { key: "keyport:import-control", value: "dual-control" } as const;

const P = PRODUCTION_ACCOUNT;
const S = STAGING_ACCOUNT;
const EU = "eu-west-1";
const US = "us-east-1";

/** Every EXTERNAL state and every key-spec family, with KMS-generated and AWS managed keys among them. */
const DEMO_KEYS: KeyTemplate[] = [
  { accountId: P, region: EU, label: "card-data-kek", spec: "SYMMETRIC_DEFAULT", origin: "EXTERNAL", state: { kind: "pending-import" }, alias: "alias/payments/card-data-kek", description: "Card data key-encryption key, awaiting first import from the payments HSM", ageDays: 2, tags: { team: "payments", "data-class": "pci" } },
  { accountId: P, region: EU, label: "pin-block-kek", spec: "SYMMETRIC_DEFAULT", origin: "EXTERNAL", state: { kind: "enabled", expiresInDays: 3 }, alias: "alias/payments/pin-block-kek", description: "PIN block key-encryption key (imported from the HSM, 90-day material)", ageDays: 87, tags: { team: "payments", "data-class": "pci" } },
  { accountId: P, region: EU, label: "webhook-signing", spec: "HMAC_256", usage: "GENERATE_VERIFY_MAC", origin: "EXTERNAL", state: { kind: "enabled" }, alias: "alias/payments/webhook-signing", description: "Webhook payload MAC key shared with the acquirer", ageDays: 240 },
  { accountId: P, region: EU, label: "legacy-receipt-signing", spec: "RSA_2048", usage: "SIGN_VERIFY", origin: "EXTERNAL", state: { kind: "disabled" }, alias: "alias/payments/legacy-receipt-signing", description: "Legacy receipt signing key, disabled after the migration to ECDSA", ageDays: 700 },
  { accountId: P, region: EU, label: "token-signing-2023", spec: "ECC_NIST_P256", usage: "SIGN_VERIFY", origin: "EXTERNAL", state: { kind: "pending-deletion", deletionInDays: 12 }, alias: "alias/payments/token-signing-2023", description: "Retired payment token signing key (2023)", ageDays: 500 },
  { accountId: P, region: EU, label: "settlement-kek", spec: "SYMMETRIC_DEFAULT", origin: "EXTERNAL", state: { kind: "enabled", expiresInDays: 41 }, alias: "alias/payments/settlement-kek", description: "Settlement file key-encryption key", ageDays: 130 },
  // Tagged as under Keyport's dual control, with material no Keyport request imported: someone ran the AWS
  // CLI behind Keyport's back, and the demo's first refresh flags it (lib/drift).
  { accountId: P, region: EU, label: "chargeback-kek", spec: "SYMMETRIC_DEFAULT", origin: "EXTERNAL", state: { kind: "enabled", expiresInDays: 75 }, alias: "alias/payments/chargeback-kek", description: "Chargeback evidence key-encryption key (imports go through Keyport)", ageDays: 20, tags: { team: "payments", [DUAL_CONTROL_TAG.key]: DUAL_CONTROL_TAG.value } },
  { accountId: P, region: EU, label: "app-data", spec: "SYMMETRIC_DEFAULT", origin: "AWS_KMS", state: { kind: "enabled" }, alias: "alias/payments/app-data", description: "Application data encryption (KMS-generated)", ageDays: 400 },
  { accountId: P, region: EU, label: "session-cookie-mac", spec: "HMAC_256", usage: "GENERATE_VERIFY_MAC", origin: "AWS_KMS", state: { kind: "enabled" }, description: "Session cookie MAC key (KMS-generated)", ageDays: 90 },
  { accountId: P, region: EU, label: AUDIT_SIGNING_LABEL, spec: "ECC_NIST_P256", usage: "SIGN_VERIFY", origin: "AWS_KMS", state: { kind: "enabled" }, alias: "alias/keyport/audit-signing", description: "Signs Keyport's audit checkpoints (KMS-generated; Keyport's own role may use it)", ageDays: 30 },
  { accountId: P, region: EU, label: "aws-s3", spec: "SYMMETRIC_DEFAULT", origin: "AWS_KMS", state: { kind: "enabled" }, alias: "alias/aws/s3", description: "Default key that protects my S3 objects when no other key is defined", ageDays: 800, awsManaged: true },

  { accountId: P, region: US, label: "dr-card-data-kek", spec: "SYMMETRIC_DEFAULT", origin: "EXTERNAL", state: { kind: "enabled", expiresInDays: 6 }, alias: "alias/payments/dr-card-data-kek", description: "Card data key-encryption key (disaster-recovery Region, multi-Region)", ageDays: 60, multiRegion: true },
  { accountId: P, region: US, label: "api-request-signing", spec: "RSA_3072", usage: "SIGN_VERIFY", origin: "EXTERNAL", state: { kind: "pending-import" }, alias: "alias/payments/api-request-signing", description: "Outbound API request signing key, awaiting import", ageDays: 1 },
  { accountId: P, region: US, label: "wallet-signing", spec: "ECC_SECG_P256K1", usage: "SIGN_VERIFY", origin: "EXTERNAL", state: { kind: "enabled" }, alias: "alias/payments/wallet-signing", description: "Settlement wallet signing key (secp256k1)", ageDays: 300 },
  { accountId: P, region: US, label: "fraud-score-mac", spec: "HMAC_384", usage: "GENERATE_VERIFY_MAC", origin: "EXTERNAL", state: { kind: "pending-import" }, alias: "alias/payments/fraud-score-mac", description: "Fraud score integrity MAC key, awaiting import", ageDays: 5 },
  { accountId: P, region: US, label: "reporting", spec: "SYMMETRIC_DEFAULT", origin: "AWS_KMS", state: { kind: "enabled" }, alias: "alias/payments/reporting", description: "Reporting warehouse encryption (KMS-generated)", ageDays: 365 },
  { accountId: P, region: US, label: "reporting-2022", spec: "SYMMETRIC_DEFAULT", origin: "AWS_KMS", state: { kind: "disabled" }, description: "Reporting warehouse encryption, 2022 (disabled)", ageDays: 900 },

  { accountId: S, region: EU, label: "lake-kek", spec: "SYMMETRIC_DEFAULT", origin: "EXTERNAL", state: { kind: "pending-rotation" }, alias: "alias/data/lake-kek", description: "Data lake key-encryption key (new material imported, rotation pending)", ageDays: 420 },
  { accountId: S, region: EU, label: "partner-export-signing", spec: "RSA_4096", usage: "SIGN_VERIFY", origin: "EXTERNAL", state: { kind: "pending-import" }, alias: "alias/data/partner-export-signing", description: "Partner export signing key, awaiting import", ageDays: 3 },
  { accountId: S, region: EU, label: "attestation-signing", spec: "ECC_NIST_P521", usage: "SIGN_VERIFY", origin: "EXTERNAL", state: { kind: "enabled", expiresInDays: 10 }, alias: "alias/data/attestation-signing", description: "Pipeline attestation signing key (P-521)", ageDays: 200 },
  { accountId: S, region: EU, label: "ingest-signing", spec: "ECC_NIST_P384", usage: "SIGN_VERIFY", origin: "EXTERNAL", state: { kind: "enabled", expiresInDays: 2 }, alias: "alias/data/ingest-signing", description: "Ingest manifest signing key (P-384)", ageDays: 150 },
  { accountId: S, region: EU, label: "pseudonymisation", spec: "HMAC_224", usage: "GENERATE_VERIFY_MAC", origin: "EXTERNAL", state: { kind: "disabled", expiresInDays: 120 }, alias: "alias/data/pseudonymisation", description: "Pseudonymisation MAC key (disabled pending review)", ageDays: 45 },
  { accountId: S, region: EU, label: "batch-integrity", spec: "HMAC_512", usage: "GENERATE_VERIFY_MAC", origin: "EXTERNAL", state: { kind: "enabled", expiresInDays: 60 }, alias: "alias/data/batch-integrity", description: "Batch file integrity MAC key", ageDays: 30 },
  { accountId: S, region: EU, label: "feature-store", spec: "SYMMETRIC_DEFAULT", origin: "AWS_KMS", state: { kind: "enabled" }, alias: "alias/data/feature-store", description: "Feature store encryption (KMS-generated)", ageDays: 260 },

  { accountId: S, region: US, label: "backup-kek-old", spec: "SYMMETRIC_DEFAULT", origin: "EXTERNAL", state: { kind: "pending-deletion", deletionInDays: 25 }, alias: "alias/data/backup-kek-old", description: "Backup key-encryption key, superseded", ageDays: 610 },
  { accountId: S, region: US, label: "envelope-rsa", spec: "RSA_2048", usage: "ENCRYPT_DECRYPT", origin: "EXTERNAL", state: { kind: "enabled" }, alias: "alias/data/envelope-rsa", description: "Envelope encryption key for partner uploads (RSA)", ageDays: 330 },
  { accountId: S, region: US, label: "build-signing", spec: "RSA_2048", usage: "SIGN_VERIFY", origin: "AWS_KMS", state: { kind: "enabled" }, alias: "alias/data/build-signing", description: "Build artifact signing (KMS-generated)", ageDays: 75 },
  { accountId: S, region: US, label: "scratch", spec: "SYMMETRIC_DEFAULT", origin: "AWS_KMS", state: { kind: "enabled" }, description: "Scratch bucket encryption", ageDays: 12 },

  { accountId: REFUSING_ACCOUNT, region: EU, label: "sandbox-kek", spec: "SYMMETRIC_DEFAULT", origin: "EXTERNAL", state: { kind: "pending-import" }, alias: "alias/sandbox/kek", description: "Sandbox key-encryption key (its account refuses Keyport's role)", ageDays: 20 },
];

/**
 * The demo's audit signing key (production account, eu-west-1): its ARN, and the SHA-256 fingerprint of
 * its public key, which the demo pins. Both are fixed: the key id and its EC material derive from its label.
 */
export async function demoAuditSigningKey(): Promise<{ arn: string; fingerprint: string }> {
  const region = SEEDED_REGIONS[0]!;
  const keyId = deterministicKeyId(`${PRODUCTION_ACCOUNT}/${region}/${AUDIT_SIGNING_LABEL}`, false);
  const arn = keyArn(region, PRODUCTION_ACCOUNT, keyId);
  const material = await deriveMaterial("ECC_NIST_P256", region, `${arn}:0`);
  const spki = createPublicKey(createPrivateKey({ key: material, format: "der", type: "pkcs8" })).export({ type: "spki", format: "der" });
  return { arn, fingerprint: createHash("sha256").update(spki).digest("hex") };
}

async function buildKey(store: Store, template: KeyTemplate, now: number): Promise<KeyRecord> {
  const keyId = deterministicKeyId(`${template.accountId}/${template.region}/${template.label}`, template.multiRegion ?? false);
  const arn = keyArn(template.region, template.accountId, keyId);
  const usage = template.usage ?? (familyOf(template.spec) === "HMAC" ? "GENERATE_VERIFY_MAC" : "ENCRYPT_DECRYPT");
  const key: KeyRecord = {
    accountId: template.accountId,
    region: template.region,
    keyId,
    arn,
    createdAt: now - template.ageDays * DAY_MS,
    description: template.description,
    keyUsage: usage,
    keySpec: template.spec,
    origin: template.origin,
    keyManager: template.awsManaged ? "AWS" : "CUSTOMER",
    multiRegion: template.multiRegion ?? false,
    keyState: "Enabled",
    materials: [],
    tags: Object.entries(template.tags ?? {}).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
  };
  const state = template.state;
  if (state.kind === "pending-import") {
    key.keyState = "PendingImport";
    return key;
  }
  const material = await deriveMaterial(template.spec, template.region, `${arn}:0`);
  const first: MaterialRecord = { id: materialIdOf(store.secret, materialScopeOf(key), material), bytes: material.toString("base64"), state: "CURRENT" };
  if (template.origin === "EXTERNAL") {
    const expiresInDays = "expiresInDays" in state ? state.expiresInDays : undefined;
    first.expirationModel = expiresInDays === undefined ? "KEY_MATERIAL_DOES_NOT_EXPIRE" : "KEY_MATERIAL_EXPIRES";
    if (expiresInDays !== undefined) first.validTo = now + expiresInDays * DAY_MS;
    if (familyOf(template.spec) === "SYMMETRIC") first.description = "Initial import";
  }
  key.materials.push(first);
  if (state.kind === "disabled") key.keyState = "Disabled";
  if (state.kind === "pending-deletion") {
    key.keyState = "PendingDeletion";
    key.pendingWindowInDays = 30;
    key.deletionDate = now + state.deletionInDays * DAY_MS;
  }
  if (state.kind === "pending-rotation") {
    const next = await deriveMaterial(template.spec, template.region, `${arn}:1`);
    key.materials.push({
      id: materialIdOf(store.secret, materialScopeOf(key), next),
      bytes: next.toString("base64"),
      state: "PENDING_ROTATION",
      expirationModel: "KEY_MATERIAL_DOES_NOT_EXPIRE",
      description: "Annual rotation",
    });
  }
  return key;
}

async function seedDemo(store: Store, now: number): Promise<void> {
  addAccounts(store);
  store.regions = [...DEMO_REGIONS];
  const keys = await Promise.all(DEMO_KEYS.map((template) => buildKey(store, template, now)));
  keys.forEach((key, index) => {
    store.addKey(key);
    const alias = DEMO_KEYS[index]?.alias;
    if (alias) addAlias(store, key, alias, now);
  });
  for (const spec of DEMO_MULTI_REGION) await seedMultiRegion(store, spec, now);
}

async function seedMultiRegion(store: Store, spec: MultiRegionSeed, now: number): Promise<void> {
  const primary = await buildKey(
    store,
    { accountId: P, region: EU, label: spec.label, spec: "SYMMETRIC_DEFAULT", origin: "EXTERNAL", state: spec.state, description: spec.description, ageDays: spec.ageDays, multiRegion: true },
    now,
  );
  primary.primaryRegion = primary.region;
  const material = primary.materials[0];
  const replicas = spec.replicas.map((replica): KeyRecord => {
    const key: KeyRecord = {
      ...primary,
      region: replica.region,
      arn: keyArn(replica.region, primary.accountId, primary.keyId),
      createdAt: now - replica.ageDays * DAY_MS,
      description: replica.description,
      keyState: replica.state.kind === "pending-import" ? "PendingImport" : "Enabled",
      materials: [],
      tags: [],
    };
    // The same bytes imported separately: same KeyMaterialId (ids.ts, materialScopeOf), own expiry.
    if (material && "expiresInDays" in replica.state && replica.state.expiresInDays !== undefined) {
      key.materials.push({ ...material, validTo: now + replica.state.expiresInDays * DAY_MS });
    }
    return key;
  });
  for (const key of [primary, ...replicas]) {
    store.addKey(key);
    addAlias(store, key, spec.alias, now);
  }
}

function addAlias(store: Store, key: KeyRecord, aliasName: string, now: number): void {
  store.addAlias({ accountId: key.accountId, region: key.region, aliasName, targetKeyId: key.keyId, createdAt: key.createdAt, updatedAt: now });
}

/** Every fifth scale key has no alias, so alias counts differ from key counts as they do in real estates. */
export function scaleKeyHasAlias(index: number): boolean {
  return index % 5 !== 4;
}

/**
 * The targets that reach the scale seed's keys, as Keyport's configuration names them (the benchmarks use them):
 * both assumable accounts, both seeded Regions.
 */
export const SCALE_TARGETS = [
  {
    id: "payments-production",
    name: "Payments Production",
    accountId: PRODUCTION_ACCOUNT,
    roleArn: `arn:aws:iam::${PRODUCTION_ACCOUNT}:role/KeyportImportRole`,
    externalId: "keyport-demo-external-id",
    regions: SEEDED_REGIONS,
  },
  {
    id: "data-platform-staging",
    name: "Data Platform Staging",
    accountId: STAGING_ACCOUNT,
    roleArn: `arn:aws:iam::${STAGING_ACCOUNT}:role/KeyportImportRole`,
    regions: SEEDED_REGIONS,
  },
];

const SCALE_SCOPES = [PRODUCTION_ACCOUNT, STAGING_ACCOUNT].flatMap((accountId) => SEEDED_REGIONS.map((region) => ({ accountId, region })));

/**
 * N keys spread round-robin over the assumable accounts and both Regions; `externalPercent` of them
 * EXTERNAL, spread evenly. Only symmetric and HMAC keys with derived material, so 10,000 keys take well
 * under a second.
 */
async function seedScale(store: Store, count: number, externalPercent: number, now: number): Promise<void> {
  addAccounts(store);
  store.regions = [...SEEDED_REGIONS];
  const externalStates: SeedState[] = [
    { kind: "pending-import" },
    { kind: "enabled" },
    { kind: "enabled", expiresInDays: 9 },
    { kind: "disabled" },
    { kind: "enabled", expiresInDays: 200 },
  ];
  let externalIndex = 0;
  for (let index = 0; index < count; index += 1) {
    const scope = SCALE_SCOPES[index % SCALE_SCOPES.length] as { accountId: string; region: string };
    const external = Math.floor(((index + 1) * externalPercent) / 100) > Math.floor((index * externalPercent) / 100);
    const hmac = index % 7 === 3;
    const template: KeyTemplate = {
      ...scope,
      label: `scale-${index}`,
      spec: hmac ? "HMAC_256" : "SYMMETRIC_DEFAULT",
      origin: external ? "EXTERNAL" : "AWS_KMS",
      state: external ? (externalStates[externalIndex++ % externalStates.length] as SeedState) : { kind: "enabled" },
      description: external ? `Imported ${hmac ? "MAC" : "data"} key #${index}` : `Application key #${index}`,
      ageDays: index % 1000,
    };
    const key = await buildKey(store, template, now);
    store.addKey(key);
    if (scaleKeyHasAlias(index)) addAlias(store, key, `alias/scale/key-${String(index).padStart(6, "0")}`, now);
  }
}

export async function applySeed(store: Store, seed: ParsedSeed, now: number): Promise<void> {
  if (seed.kind === "demo") await seedDemo(store, now);
  else if (seed.kind === "scale") await seedScale(store, seed.count, seed.externalPercent, now);
}

export interface SeededAccount {
  accountId: string;
  name: string;
  roleArn: string;
  externalId?: string;
  /** False for a role whose trust policy refuses everyone. */
  assumable: boolean;
}

export function seededAccounts(store: Store): SeededAccount[] {
  return [...store.roles.values()].map((role) => ({
    accountId: role.accountId,
    name: store.accounts.get(role.accountId)?.name ?? role.accountId,
    roleArn: role.arn,
    ...(role.externalId ? { externalId: role.externalId } : {}),
    assumable: role.trustedAccountIds.includes(store.base.accountId),
  }));
}
