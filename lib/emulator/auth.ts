import { timingSafeEqual } from "node:crypto";
import { AuthError } from "./errors";
import type { SessionRecord, Store } from "./state";

/** Who a request acts as: the base principal, or a role session from AssumeRole. */
export interface Caller {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  /** IAM user ARN or assumed-role session ARN. */
  arn: string;
  userId: string;
  session?: SessionRecord;
}

const INVALID_TOKEN = "The security token included in the request is invalid.";

/**
 * Finds the credentials an access key id names. Session credentials must come with their own session
 * token; an unknown key, a missing or foreign token all read as an invalid security token, as in AWS.
 * Expiry is checked separately, after the signature, by {@link assertNotExpired}.
 */
export function resolveCaller(store: Store, accessKeyId: string, sessionToken: string | undefined): Caller {
  const base = store.base;
  if (accessKeyId === base.accessKeyId) {
    if (sessionToken !== undefined) throw new AuthError("unknown-key", INVALID_TOKEN);
    return {
      accessKeyId,
      secretAccessKey: base.secretAccessKey,
      accountId: base.accountId,
      arn: `arn:aws:iam::${base.accountId}:user/${base.userName}`,
      userId: base.userId,
    };
  }
  const session = store.sessions.get(accessKeyId);
  if (!session || sessionToken === undefined || !sameString(sessionToken, session.sessionToken)) {
    throw new AuthError("unknown-key", INVALID_TOKEN);
  }
  return {
    accessKeyId,
    secretAccessKey: session.secretAccessKey,
    accountId: session.accountId,
    arn: `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.sessionName}`,
    userId: session.assumedRoleId,
    session,
  };
}

export function assertNotExpired(caller: Caller, now: number): void {
  if (caller.session && now >= caller.session.expiresAt) {
    throw new AuthError("expired-token", "The security token included in the request is expired");
  }
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
