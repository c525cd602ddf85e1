import { generateMaterial, materialIdOf } from "../crypto/material";
import { kms } from "../errors";
import { isChinaRegion, keyArn, materialScopeOf, newKeyId } from "../ids";
import type { KeyRecord, Tag } from "../state";
import type { KmsContext, KmsOperation } from "./context";
import {
  keyIdField,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  epochSeconds,
  type KmsInput,
} from "./input";
import { keyMetadata } from "./key-metadata";
import { refuseIn } from "./key-state";
import { KEY_USAGES, allowedUsages, isSupportedKeySpec, type KeyUsage } from "./key-specs";
import { applyLifecycle, isMissingMaterial } from "./lifecycle";
import { decodeMarker, pageOf } from "./pagination";
import { resolveKey } from "./resolve";

/** Key lifecycle and listing: CreateKey, DescribeKey, ListKeys, Enable/DisableKey, deletion, tags. */

const ALL_KEY_SPECS = [
  "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
  "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2", "ML_DSA_44", "ML_DSA_65",
  "ML_DSA_87", "ECC_NIST_EDWARDS25519",
] as const;
const ORIGINS = ["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

async function createKey(ctx: KmsContext, input: KmsInput) {
  optionalString(input, "Policy", { min: 1, max: 32768 });
  const description = optionalString(input, "Description", { min: 0, max: 8192 }) ?? "";
  const requestedUsage = optionalEnum(input, "KeyUsage", KEY_USAGES);
  const keySpecField = optionalEnum(input, "KeySpec", ALL_KEY_SPECS);
  const legacySpec = optionalEnum(input, "CustomerMasterKeySpec", ALL_KEY_SPECS);
  const origin = optionalEnum(input, "Origin", ORIGINS) ?? "AWS_KMS";
  const multiRegion = optionalBoolean(input, "MultiRegion") ?? false;
  const tags = parseTags(input.Tags);
  if (keySpecField && legacySpec) {
    throw kms.validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.");
  }
  if (input.CustomKeyStoreId !== undefined || input.XksKeyId !== undefined || origin === "AWS_CLOUDHSM" || origin === "EXTERNAL_KEY_STORE") {
    throw kms.unsupported("Custom key stores are not modelled by the emulator; use Origin AWS_KMS or EXTERNAL.");
  }
  const spec = keySpecField ?? legacySpec ?? "SYMMETRIC_DEFAULT";
  if (spec === "SM2" && !isChinaRegion(ctx.region)) throw kms.validation("KeySpec SM2 is only available in China Regions.");
  if (!isSupportedKeySpec(spec)) throw kms.unsupported(`The emulator does not model key spec ${spec}.`);
  // Recorded against AWS: only symmetric encryption keys may leave KeyUsage out.
  if (requestedUsage === undefined && spec !== "SYMMETRIC_DEFAULT") {
    throw kms.validation("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.");
  }
  const usage: KeyUsage = requestedUsage ?? "ENCRYPT_DECRYPT";
  if (!allowedUsages(spec).includes(usage)) {
    throw kms.validation(`KeyUsage ${usage} is not compatible with KeySpec ${spec}.`);
  }

  const keyId = newKeyId(multiRegion);
  const arn = keyArn(ctx.region, ctx.caller.accountId, keyId);
  const key: KeyRecord = {
    accountId: ctx.caller.accountId,
    region: ctx.region,
    keyId,
    arn,
    createdAt: ctx.now,
    description,
    keyUsage: usage,
    keySpec: spec,
    origin,
    keyManager: "CUSTOMER",
    multiRegion,
    ...(multiRegion ? { primaryRegion: ctx.region } : {}),
    keyState: origin === "EXTERNAL" ? "PendingImport" : "Enabled",
    materials: [],
    tags,
  };
  if (origin === "AWS_KMS") {
    const material = await generateMaterial(spec, ctx.region);
    key.materials.push({ id: materialIdOf(ctx.store.secret, materialScopeOf(key), material), bytes: material.toString("base64"), state: "CURRENT" });
  }
  ctx.store.addKey(key);
  return { KeyMetadata: keyMetadata(key, ctx.store) };
}

export function parseTags(value: unknown): Tag[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw kms.serialization("Expected a list for Tags.");
  const tags: Tag[] = [];
  for (const entry of value as unknown[]) {
    const tag = entry as Partial<Tag> | null;
    if (typeof tag?.TagKey !== "string" || typeof tag.TagValue !== "string") {
      throw kms.validation("Each tag must have a TagKey and a TagValue.");
    }
    if (tag.TagKey.length < 1 || tag.TagKey.length > 128 || tag.TagValue.length > 256) {
      throw kms.validation("TagKey must be 1–128 characters and TagValue 0–256 characters.");
    }
    if (tag.TagKey.toLowerCase().startsWith("aws:")) throw kms.tag("Tag keys beginning with aws: are reserved.");
    if (tags.some((t) => t.TagKey === tag.TagKey)) throw kms.tag(`Duplicate tag key ${tag.TagKey}.`);
    tags.push({ TagKey: tag.TagKey, TagValue: tag.TagValue });
  }
  if (tags.length > 50) throw kms.tag("A key can have at most 50 tags.");
  return tags;
}

function describeKey(ctx: KmsContext, input: KmsInput) {
  const key = resolveKey(ctx, keyIdField(input), { allowAlias: true });
  return { KeyMetadata: keyMetadata(key, ctx.store) };
}

function listKeys(ctx: KmsContext, input: KmsInput) {
  const limit = optionalInteger(input, "Limit", 1, 1000) ?? 100;
  const list = `ListKeys/${ctx.caller.accountId}/${ctx.region}`;
  const after = decodeMarker(optionalString(input, "Marker", { min: 1, max: 1024 }), list);
  const scope = ctx.store.scope(ctx.caller.accountId, ctx.region);
  // Collect one more than the page so Truncated is exact, skipping keys whose deletion date has passed.
  const collected: KeyRecord[] = [];
  for (const keyId of scope.keyIdsAfter(after)) {
    const key = scope.keys.get(keyId);
    if (!key) continue;
    const outcome = applyLifecycle(ctx.store, key, ctx.now);
    if (outcome !== "unchanged") ctx.markDirty();
    if (outcome === "deleted") continue;
    collected.push(key);
    if (collected.length > limit) break;
  }
  const page = pageOf(collected, limit, list, (key) => key.keyId);
  return {
    Keys: page.items.map((key) => ({ KeyId: key.keyId, KeyArn: key.arn })),
    Truncated: page.truncated,
    ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
  };
}

function customerKey(ctx: KmsContext, input: KmsInput): KeyRecord {
  const key = resolveKey(ctx, keyIdField(input), { allowAlias: false });
  if (key.keyManager === "AWS") {
    throw kms.unsupported(`${key.arn} is an AWS managed key; you cannot change it.`);
  }
  return key;
}

/**
 * An Updating key refuses "certain management operations, such as enabling or disabling" (AWS KMS developer
 * guide, "Change the primary key in a set of multi-Region keys"); the guide names no others, so the strict
 * reading refuses every state change (enable, disable, scheduling deletion) until the update completes.
 */
function enableKey(ctx: KmsContext, input: KmsInput) {
  const key = customerKey(ctx, input);
  refuseIn(key, ["PendingDeletion", "PendingImport", "Creating", "Updating"]);
  key.keyState = "Enabled";
  return {};
}

function disableKey(ctx: KmsContext, input: KmsInput) {
  const key = customerKey(ctx, input);
  refuseIn(key, ["PendingDeletion", "PendingImport", "Creating", "Updating"]);
  key.keyState = "Disabled";
  return {};
}

function scheduleKeyDeletion(ctx: KmsContext, input: KmsInput) {
  const key = customerKey(ctx, input);
  const days = optionalInteger(input, "PendingWindowInDays", 1, 365) ?? 30;
  if (days < 7 || days > 30) {
    throw kms.validation(`1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30`);
  }
  refuseIn(key, ["PendingDeletion", "Creating", "Updating"]);
  key.keyState = "PendingDeletion";
  key.deletionDate = ctx.now + days * DAY_MS;
  key.pendingWindowInDays = days;
  return { KeyId: key.arn, DeletionDate: epochSeconds(key.deletionDate), KeyState: key.keyState, PendingWindowInDays: days };
}

function cancelKeyDeletion(ctx: KmsContext, input: KmsInput) {
  const key = customerKey(ctx, input);
  if (key.keyState !== "PendingDeletion") throw kms.invalidState(`${key.arn} is not pending deletion.`);
  // KMS leaves a key whose deletion was cancelled disabled (or awaiting material if it has none).
  key.keyState = key.origin === "EXTERNAL" && isMissingMaterial(key) ? "PendingImport" : "Disabled";
  delete key.deletionDate;
  delete key.pendingWindowInDays;
  return { KeyId: key.arn };
}

function listResourceTags(ctx: KmsContext, input: KmsInput) {
  const key = resolveKey(ctx, keyIdField(input), { allowAlias: false });
  const limit = optionalInteger(input, "Limit", 1, 50) ?? 50;
  const list = `ListResourceTags/${key.arn}`;
  const after = decodeMarker(optionalString(input, "Marker", { min: 1, max: 1024 }), list);
  const start = after === undefined ? 0 : key.tags.findIndex((tag) => tag.TagKey === after) + 1;
  const page = pageOf(key.tags.slice(start), limit, list, (tag) => tag.TagKey);
  return { Tags: page.items, Truncated: page.truncated, ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}) };
}

export const keyOperations: Record<string, KmsOperation> = {
  CreateKey: { handler: createKey, mutates: true },
  DescribeKey: { handler: describeKey, mutates: false },
  ListKeys: { handler: listKeys, mutates: false },
  EnableKey: { handler: enableKey, mutates: true },
  DisableKey: { handler: disableKey, mutates: true },
  ScheduleKeyDeletion: { handler: scheduleKeyDeletion, mutates: true },
  CancelKeyDeletion: { handler: cancelKeyDeletion, mutates: true },
  ListResourceTags: { handler: listResourceTags, mutates: false },
};

