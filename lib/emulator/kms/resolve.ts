import { kms } from "../errors";
import { aliasArn, keyArn, parseKeyReference } from "../ids";
import type { KeyRecord } from "../state";
import type { KmsContext } from "./context";
import { applyLifecycle } from "./lifecycle";

/**
 * Turns a `KeyId` field into a key of the caller's account in the request's Region, with the errors KMS
 * gives for each way of naming a key that does not resolve.
 */
export function resolveKey(ctx: KmsContext, value: string, options: { allowAlias: boolean }): KeyRecord {
  const { accountId } = ctx.caller;
  const ref = parseKeyReference(value);
  switch (ref.kind) {
    case "malformed-id":
      throw kms.notFound(`Invalid keyId '${value}'`);
    case "malformed-arn":
      throw kms.invalidArn(`ARN ${value} is not a valid key or alias ARN.`);
    case "key-id":
      return lookup(ctx, ref.keyId);
    case "key-arn":
      assertSameScope(ctx, ref.region, ref.accountId, value);
      return lookup(ctx, ref.keyId);
    case "alias-name":
    case "alias-arn": {
      // Operations documented as taking a key id or key ARN refuse aliases (UNCONFIRMED for
      // GetParametersForImport; the stricter reading is taken).
      if (!options.allowAlias) throw kms.notFound(`Invalid keyId '${value}'`);
      if (ref.kind === "alias-arn") assertSameScope(ctx, ref.region, ref.accountId, value);
      const alias = ctx.store.scope(accountId, ctx.region).aliases.get(ref.aliasName);
      if (!alias) throw kms.notFound(`Alias ${aliasArn(ctx.region, accountId, ref.aliasName)} is not found.`);
      return lookup(ctx, alias.targetKeyId);
    }
  }
}

function assertSameScope(ctx: KmsContext, region: string, accountId: string, value: string): void {
  if (region !== ctx.region) throw kms.notFound(`Invalid arn ${region}`);
  if (accountId !== ctx.caller.accountId) {
    // Another account's key: its key policy would have to grant this caller, and seeded keys grant no one.
    // Refused whether or not the key exists (UNCONFIRMED; the stricter reading reveals nothing).
    throw kms.accessDenied(
      `User: ${ctx.caller.arn} is not authorized to perform: kms:${ctx.operation} on resource: ${value} because no resource-based policy allows the kms:${ctx.operation} action`,
    );
  }
}

function lookup(ctx: KmsContext, keyId: string): KeyRecord {
  const key = ctx.store.scope(ctx.caller.accountId, ctx.region).keys.get(keyId);
  const missing = () => kms.notFound(`Key '${keyArn(ctx.region, ctx.caller.accountId, keyId)}' does not exist`);
  if (!key) throw missing();
  const outcome = applyLifecycle(ctx.store, key, ctx.now);
  if (outcome !== "unchanged") ctx.markDirty();
  if (outcome === "deleted") throw missing();
  return key;
}
