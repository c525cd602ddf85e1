import { kms } from "../errors";
import { aliasArn } from "../ids";
import type { KmsContext, KmsOperation } from "./context";
import { epochSeconds, keyIdField, optionalInteger, optionalString, requiredString, type KmsInput } from "./input";
import { applyLifecycle } from "./lifecycle";
import { decodeMarker, pageOf } from "./pagination";
import { resolveKey } from "./resolve";

/** CreateAlias and ListAliases (with real pagination and the KeyId filter). */

const ALIAS_PATTERN = /^[a-zA-Z0-9:/_-]+$/;

function createAlias(ctx: KmsContext, input: KmsInput) {
  const aliasName = requiredString(input, "AliasName", { min: 1, max: 256, pattern: ALIAS_PATTERN });
  const targetKeyId = keyIdField(input, "TargetKeyId");
  if (!aliasName.startsWith("alias/")) {
    // AWS's own wording, a ValidationException rather than InvalidAliasNameException.
    throw kms.validation('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  if (aliasName.length === "alias/".length) throw kms.invalidAliasName(`Alias must have a name after the prefix "alias/": ${aliasName}`);
  if (aliasName.startsWith("alias/aws/")) {
    throw kms.invalidAliasName(`Alias names that begin with "alias/aws/" are reserved for AWS managed keys: ${aliasName}`);
  }
  const key = resolveKey(ctx, targetKeyId, { allowAlias: false });
  if (key.keyManager === "AWS") throw kms.unsupported(`${key.arn} is an AWS managed key; aliases cannot point to it.`);
  if (key.keyState === "PendingDeletion") throw kms.invalidState(`${key.arn} is pending deletion.`);
  const scope = ctx.store.scope(ctx.caller.accountId, ctx.region);
  if (scope.aliases.has(aliasName)) {
    throw kms.alreadyExists(`An alias with the name ${aliasArn(ctx.region, ctx.caller.accountId, aliasName)} already exists`);
  }
  scope.addAlias({
    accountId: ctx.caller.accountId,
    region: ctx.region,
    aliasName,
    targetKeyId: key.keyId,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  });
  return {};
}

function listAliases(ctx: KmsContext, input: KmsInput) {
  const keyIdValue = optionalString(input, "KeyId", { min: 1, max: 2048 });
  // The API model allows up to 1000 but KMS documents 1–100 for ListAliases; the emulator enforces 100.
  const limit = optionalInteger(input, "Limit", 1, 100) ?? 50;
  const filterKey = keyIdValue === undefined ? undefined : resolveKey(ctx, keyIdValue, { allowAlias: false });
  const list = `ListAliases/${ctx.caller.accountId}/${ctx.region}/${filterKey?.keyId ?? "*"}`;
  const after = decodeMarker(optionalString(input, "Marker", { min: 1, max: 1024 }), list);
  const scope = ctx.store.scope(ctx.caller.accountId, ctx.region);

  const collected = [];
  for (const name of scope.aliasNamesAfter(after)) {
    const alias = scope.aliases.get(name);
    if (!alias || (filterKey && alias.targetKeyId !== filterKey.keyId)) continue;
    const target = scope.keys.get(alias.targetKeyId);
    // An alias whose key reached its deletion date goes with it.
    if (!target || applyLifecycle(ctx.store, target, ctx.now) === "deleted") {
      ctx.markDirty();
      continue;
    }
    collected.push(alias);
    if (collected.length > limit) break;
  }
  const page = pageOf(collected, limit, list, (alias) => alias.aliasName);
  return {
    Aliases: page.items.map((alias) => ({
      AliasName: alias.aliasName,
      AliasArn: aliasArn(alias.region, alias.accountId, alias.aliasName),
      TargetKeyId: alias.targetKeyId,
      CreationDate: epochSeconds(alias.createdAt),
      LastUpdatedDate: epochSeconds(alias.updatedAt),
    })),
    Truncated: page.truncated,
    ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
  };
}

export const aliasOperations: Record<string, KmsOperation> = {
  CreateAlias: { handler: createAlias, mutates: true },
  ListAliases: { handler: listAliases, mutates: false },
};
