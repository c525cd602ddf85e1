import { randomBytes } from "node:crypto";
import type { Caller } from "../auth";
import { StsError } from "../errors";
import { newAccessKeyId, newSecretAccessKey } from "../ids";
import type { SessionRecord, Store } from "../state";
import type { XmlNode } from "./xml";

/** STS AssumeRole and GetCallerIdentity over awsQuery. */

export interface StsContext {
  store: Store;
  caller: Caller;
  now: number;
}

export interface StsOperation {
  handler(ctx: StsContext, params: URLSearchParams): XmlNode;
  mutates: boolean;
}

const NAME_PATTERN = /^[\w+=,.@-]*$/;
const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]*$/;
const ROLE_ARN_PATTERN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const CHAINED_MAX_SECONDS = 3600;
/** Sessions are forgotten a day after they expire (until then, using them says "expired", not "invalid"). */
const SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;

function validationError(value: string | undefined, member: string, rule: string): StsError {
  const shown = value === undefined ? "null" : `'${value}'`;
  return new StsError("ValidationError", `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${rule}`);
}

function stringParam(params: URLSearchParams, name: string, rules: { required?: boolean; min: number; max: number; pattern?: RegExp }): string | undefined {
  const value = params.get(name) ?? undefined;
  const member = name.charAt(0).toLowerCase() + name.slice(1);
  if (value === undefined) {
    if (rules.required) throw validationError(undefined, member, "Member must not be null");
    return undefined;
  }
  if (value.length < rules.min) throw validationError(value, member, `Member must have length greater than or equal to ${rules.min}`);
  if (value.length > rules.max) throw validationError(value, member, `Member must have length less than or equal to ${rules.max}`);
  if (rules.pattern && !rules.pattern.test(value)) {
    throw validationError(value, member, `Member must satisfy regular expression pattern: ${rules.pattern.source.replace(/^\^|\$$/g, "")}`);
  }
  return value;
}

function accessDenied(caller: Caller, roleArn: string): StsError {
  return new StsError("AccessDenied", `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
}

function assumeRole(ctx: StsContext, params: URLSearchParams): XmlNode {
  const roleArn = stringParam(params, "RoleArn", { required: true, min: 20, max: 2048, pattern: ROLE_ARN_PATTERN }) as string;
  const sessionName = stringParam(params, "RoleSessionName", { required: true, min: 2, max: 64, pattern: NAME_PATTERN }) as string;
  const externalId = stringParam(params, "ExternalId", { min: 2, max: 1224, pattern: EXTERNAL_ID_PATTERN });
  const requestedSourceIdentity = stringParam(params, "SourceIdentity", { min: 2, max: 64, pattern: NAME_PATTERN });
  if (requestedSourceIdentity?.toLowerCase().startsWith("aws:")) {
    throw new StsError("ValidationError", "SourceIdentity must not begin with the prefix 'aws:'.");
  }
  const durationText = params.get("DurationSeconds");
  const duration = durationText === null ? 3600 : Number(durationText);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw validationError(
      durationText ?? undefined,
      "durationSeconds",
      duration < 900 ? "Member must have value greater than or equal to 900" : "Member must have value less than or equal to 43200",
    );
  }

  const { caller, store } = ctx;
  const role = store.roles.get(roleArn);
  // Unknown role, a trust policy that does not admit the caller's account, or a wrong or missing ExternalId
  // all look the same from outside, as in AWS.
  if (!role || !role.trustedAccountIds.includes(caller.accountId)) throw accessDenied(caller, roleArn);
  if (role.externalId !== undefined && externalId !== role.externalId) throw accessDenied(caller, roleArn);
  if (caller.session && duration > CHAINED_MAX_SECONDS) {
    throw new StsError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  }
  if (duration > role.maxSessionDurationSeconds) {
    throw new StsError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  // A source identity, once set, follows the session through role chaining and cannot be changed.
  const inherited = caller.session?.sourceIdentity;
  if (inherited !== undefined && requestedSourceIdentity !== undefined && requestedSourceIdentity !== inherited) {
    throw new StsError("AccessDenied", `The source identity of a chained session cannot be changed (it is '${inherited}').`, 403);
  }
  const sourceIdentity = inherited ?? requestedSourceIdentity;

  pruneSessions(store, ctx.now);
  const session: SessionRecord = {
    accessKeyId: newAccessKeyId("ASIA"),
    secretAccessKey: newSecretAccessKey(),
    sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(300).toString("base64")}`,
    // Whole seconds, as STS reports Expiration.
    expiresAt: Math.floor(ctx.now / 1000) * 1000 + duration * 1000,
    accountId: role.accountId,
    roleArn: role.arn,
    roleName: role.name,
    sessionName,
    assumedRoleId: `${role.roleId}:${sessionName}`,
    sourceIdentity,
  };
  store.sessions.set(session.accessKeyId, session);
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: new Date(session.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
    },
    AssumedRoleUser: {
      AssumedRoleId: session.assumedRoleId,
      Arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
    },
    SourceIdentity: sourceIdentity,
  };
}

function pruneSessions(store: Store, now: number): void {
  for (const [id, session] of store.sessions) {
    if (session.expiresAt + SESSION_RETENTION_MS < now) store.sessions.delete(id);
  }
}

function getCallerIdentity(ctx: StsContext): XmlNode {
  return { UserId: ctx.caller.userId, Account: ctx.caller.accountId, Arn: ctx.caller.arn };
}

export const stsOperations: ReadonlyMap<string, StsOperation> = new Map<string, StsOperation>([
  ["AssumeRole", { handler: assumeRole, mutates: true }],
  ["GetCallerIdentity", { handler: getCallerIdentity, mutates: false }],
]);
