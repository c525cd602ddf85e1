import { createHash, randomBytes, randomUUID } from "node:crypto";

/** Identifiers and ARNs in the shapes AWS uses, and the parsing of the ways a caller can name a key. */

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT_PATTERN = /^\d{12}$/;
const KEY_ID_PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

export function isValidRegion(region: string): boolean {
  return REGION_PATTERN.test(region);
}

export function isChinaRegion(region: string): boolean {
  return region.startsWith("cn-");
}

export function isValidAccountId(accountId: string): boolean {
  return ACCOUNT_PATTERN.test(accountId);
}

export function partitionOf(region: string): string {
  if (isChinaRegion(region)) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

export function keyArn(region: string, accountId: string, keyId: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${accountId}:key/${keyId}`;
}

export function aliasArn(region: string, accountId: string, aliasName: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${accountId}:${aliasName}`;
}

export function newKeyId(multiRegion: boolean): string {
  return multiRegion ? `mrk-${randomBytes(16).toString("hex")}` : randomUUID();
}

/** A key id derived from a label, so seeded keys keep their ids from one start to the next. */
export function deterministicKeyId(label: string, multiRegion: boolean): string {
  const hex = createHash("sha256").update(`keyport-emulator-key:${label}`).digest("hex");
  if (multiRegion) return `mrk-${hex.slice(0, 32)}`;
  // Version-4 shape (the 4 and the variant nibble) so it looks like any other KMS key id.
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function isKeyId(value: string): boolean {
  return KEY_ID_PATTERN.test(value);
}

export type KeyReference =
  | { kind: "key-id"; keyId: string }
  | { kind: "key-arn"; region: string; accountId: string; keyId: string }
  | { kind: "alias-name"; aliasName: string }
  | { kind: "alias-arn"; region: string; accountId: string; aliasName: string }
  | { kind: "malformed-arn" }
  | { kind: "malformed-id" };

/** Parses what a caller passed as `KeyId`: a key id, a key ARN, an alias name or an alias ARN. */
export function parseKeyReference(value: string): KeyReference {
  if (value.startsWith("arn:")) {
    const match = /^arn:aws(?:-cn|-us-gov)?:kms:([^:]+):([^:]+):(key\/.+|alias\/.+)$/.exec(value);
    if (!match) return { kind: "malformed-arn" };
    const [, region = "", accountId = "", resource = ""] = match;
    if (!isValidRegion(region) || !isValidAccountId(accountId)) return { kind: "malformed-arn" };
    if (resource.startsWith("alias/")) return { kind: "alias-arn", region, accountId, aliasName: resource };
    const keyId = resource.slice("key/".length);
    if (!isKeyId(keyId)) return { kind: "malformed-arn" };
    return { kind: "key-arn", region, accountId, keyId };
  }
  if (value.startsWith("alias/")) return { kind: "alias-name", aliasName: value };
  if (isKeyId(value)) return { kind: "key-id", keyId: value };
  return { kind: "malformed-id" };
}

export function newRequestId(): string {
  return randomUUID();
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** An access key id of the given prefix (AKIA for long-term, ASIA for session credentials). */
export function newAccessKeyId(prefix: "AKIA" | "ASIA" | "AROA" | "AIDA", length = 16): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (const byte of bytes) out += BASE32[byte % 32];
  return out;
}

export function newSecretAccessKey(): string {
  return randomBytes(30).toString("base64");
}

/**
 * What key material and ciphertext are bound to: the key ARN, or for a multi-Region key the account and
 * key id its related keys share in every Region — so the same bytes imported into each Region have the
 * same KeyMaterialId, and ciphertext from one Region decrypts in another (related multi-Region keys are
 * interoperable only when they hold the same material).
 */
export function materialScopeOf(key: { multiRegion: boolean; accountId: string; keyId: string; arn: string }): string {
  return key.multiRegion ? `multi-region:${key.accountId}:${key.keyId}` : key.arn;
}
