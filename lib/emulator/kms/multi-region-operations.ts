import { kms } from "../errors";
import { isValidRegion, keyArn, partitionOf } from "../ids";
import type { KeyRecord } from "../state";
import type { KmsContext, KmsOperation } from "./context";
import { keyIdField, optionalBoolean, optionalString, requiredString, type KmsInput } from "./input";
import { keyMetadata, relatedKeys } from "./key-metadata";
import { parseTags } from "./key-operations";
import { invalidStateOf, refuseIn } from "./key-state";
import { liveRelatedKeys } from "./multi-region-material";
import { resolveKey } from "./resolve";

/**
 * ReplicateKey: a replica of a multi-Region primary in another Region, with the same key id. As recorded
 * against AWS, the answer shows the replica in `Creating`, `Enabled: false`, with an empty Description
 * (the primary's is not copied) and a MultiRegionConfiguration of type REPLICA that lists the replica
 * itself. KMS then finishes it: a replica of an EXTERNAL primary waits in PendingImport for its own
 * import (imported material is never copied), a replica of a KMS key holds the primary's material.
 */

/** How long a new replica answers Creating, by the emulator clock (real AWS takes seconds to minutes). */
export const REPLICA_CREATION_MS = 5_000;

const defaultPolicy = (ctx: KmsContext) =>
  JSON.stringify({
    Version: "2012-10-17",
    Id: "key-default-1",
    Statement: [
      {
        Sid: "Enable IAM User Permissions",
        Effect: "Allow",
        Principal: { AWS: `arn:${partitionOf(ctx.region)}:iam::${ctx.caller.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  });

function replicateKey(ctx: KmsContext, input: KmsInput) {
  const primary = resolveKey(ctx, keyIdField(input), { allowAlias: false });
  const replicaRegion = requiredString(input, "ReplicaRegion", { min: 1, max: 32 });
  const policy = optionalString(input, "Policy", { min: 1, max: 32768 });
  optionalBoolean(input, "BypassPolicyLockoutSafetyCheck");
  const description = optionalString(input, "Description", { min: 0, max: 8192 }) ?? "";
  const tags = parseTags(input.Tags);

  if (!isValidRegion(replicaRegion)) throw kms.validation(`ReplicaRegion ${replicaRegion} is not a valid AWS Region name.`);
  // Where AWS's wording is not on record the emulator names the rule it applies; the exceptions are the
  // ones the ReplicateKey API reference lists for each case.
  if (!primary.multiRegion) throw kms.unsupported(`${primary.arn} is not a multi-Region key; only multi-Region keys can be replicated.`);
  if ((primary.primaryRegion ?? primary.region) !== primary.region) {
    throw kms.unsupported(`${primary.arn} is a replica key; replicate the primary key in ${primary.primaryRegion} instead.`);
  }
  // "you cannot replicate the new primary key" while it is Updating (AWS KMS developer guide, "Change the
  // primary key in a set of multi-Region keys").
  refuseIn(primary, ["PendingDeletion", "Updating"]);
  // The API reference lists DisabledException for ReplicateKey; the strict reading refuses a disabled primary.
  if (primary.keyState === "Disabled") throw kms.disabled(primary.arn);
  if (relatedKeys(primary, ctx.store).some((k) => k.region === replicaRegion)) {
    throw kms.alreadyExists(`${keyArn(replicaRegion, primary.accountId, primary.keyId)} already exists.`);
  }

  const replica: KeyRecord = {
    accountId: primary.accountId,
    region: replicaRegion,
    keyId: primary.keyId,
    arn: keyArn(replicaRegion, primary.accountId, primary.keyId),
    createdAt: ctx.now,
    description,
    keyUsage: primary.keyUsage,
    keySpec: primary.keySpec,
    origin: primary.origin,
    keyManager: primary.keyManager,
    multiRegion: true,
    primaryRegion: primary.region,
    creatingUntil: ctx.now + REPLICA_CREATION_MS,
    keyState: "Creating",
    // KMS shares a KMS-generated key's material with its replicas; imported material is never copied.
    materials: primary.origin === "EXTERNAL" ? [] : primary.materials.filter((m) => m.bytes !== undefined).map((m) => ({ ...m })),
    tags,
  };
  ctx.store.addKey(replica);
  return { ReplicaKeyMetadata: keyMetadata(replica, ctx.store), ReplicaPolicy: policy ?? defaultPolicy(ctx), ReplicaTags: tags };
}

/**
 * How long the old and new primary answer Updating after UpdatePrimaryRegion, by the emulator clock. AWS:
 * "the process of updating the primary Region might still be in progress for a few more seconds"
 * (UpdatePrimaryRegion API reference).
 */
export const PRIMARY_UPDATE_MS = 5_000;

/**
 * UpdatePrimaryRegion (UpdatePrimaryRegion API reference; AWS KMS developer guide, "Change the primary key
 * in a set of multi-Region keys"). KeyId names the current primary; PrimaryRegion a Region that "must
 * already have a replica key". "Both the primary key and the replica key must be in the Enabled key state
 * when the operation starts". Afterwards the replica is the primary and the old primary a replica, for every
 * related key's MultiRegionConfiguration; both keys answer Updating for a few seconds, then Enabled again.
 * The answer is empty. The API reference lists DisabledException, KMSInvalidStateException,
 * NotFoundException and UnsupportedOperationException; which one each case gets, and the wording, are
 * not on record (UNCONFIRMED): a key that is not multi-Region or not the primary is unsupported for this
 * operation, a Region without a replica is not found, a disabled key is DisabledException and any other
 * state than Enabled is KMSInvalidStateException.
 */
function updatePrimaryRegion(ctx: KmsContext, input: KmsInput) {
  const keyIdValue = keyIdField(input);
  const primaryRegion = requiredString(input, "PrimaryRegion", { min: 1, max: 32 });
  const primary = resolveKey(ctx, keyIdValue, { allowAlias: false });
  if (!isValidRegion(primaryRegion)) throw kms.validation(`PrimaryRegion ${primaryRegion} is not a valid AWS Region name.`);
  if (!primary.multiRegion) throw kms.unsupported(`${primary.arn} is not a multi-Region key.`);
  const currentPrimaryRegion = primary.primaryRegion ?? primary.region;
  if (currentPrimaryRegion !== primary.region) {
    throw kms.unsupported(`${primary.arn} is a replica key; call UpdatePrimaryRegion on the primary key in ${currentPrimaryRegion}.`);
  }
  if (primaryRegion === primary.region) throw kms.unsupported(`${primary.arn} is already the primary key in ${primaryRegion}.`);
  const related = liveRelatedKeys(ctx, primary);
  const replica = related.find((k) => k.region === primaryRegion);
  if (!replica) throw kms.notFound(`Key '${keyArn(primaryRegion, primary.accountId, primary.keyId)}' does not exist`);
  for (const key of [primary, replica]) {
    if (key.keyState === "Disabled") throw kms.disabled(key.arn);
    if (key.keyState !== "Enabled") throw invalidStateOf(key);
  }
  for (const key of [primary, ...related]) key.primaryRegion = primaryRegion;
  for (const key of [primary, replica]) {
    key.keyState = "Updating";
    key.updatingUntil = ctx.now + PRIMARY_UPDATE_MS;
  }
  return {};
}

export const multiRegionOperations: Record<string, KmsOperation> = {
  ReplicateKey: { handler: replicateKey, mutates: true },
  UpdatePrimaryRegion: { handler: updatePrimaryRegion, mutates: true },
};
