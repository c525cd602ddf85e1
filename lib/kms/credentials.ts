import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import { toKmsError } from "./errors";
import { SERVICE_SESSION_NAME, sessionNameFor } from "./session-name";

/** Who Keyport acts as in a target account. */
export type Principal =
  | { kind: "service" }
  /** A signed-in person: `id` is their stable subject, `email` names them in CloudTrail when present. */
  | { kind: "person"; id: string; email?: string | null };

export type RoleTarget = { id: string; roleArn: string; externalId?: string };

/** The shape the AWS SDK accepts as `credentials`, with the expiry always present. */
export type AssumedCredentials = {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  assumedRoleArn?: string;
};

type Entry = { value?: AssumedCredentials; inflight?: Promise<AssumedCredentials> };

/**
 * Assumed-role credentials per (target, principal), kept until `refreshMarginMs`
 * before they expire. Concurrent callers share one AssumeRole call, so a burst of
 * requests after expiry costs one STS request, not one per request.
 */
export class AssumedRoleCache {
  private readonly entries = new Map<string, Entry>();
  private readonly refreshMarginMs: number;
  private readonly durationSeconds: number;

  constructor(
    private readonly deps: {
      /** The STS client (base credentials) used to assume a target's role. */
      sts: (target: RoleTarget) => STSClient;
      now: () => number;
      refreshMarginMs?: number;
      durationSeconds?: number;
    },
  ) {
    this.refreshMarginMs = deps.refreshMarginMs ?? 5 * 60_000;
    this.durationSeconds = deps.durationSeconds ?? 3600;
  }

  get(target: RoleTarget, principal: Principal): Promise<AssumedCredentials> {
    const key = cacheKey(target, principal);
    const entry = this.entries.get(key) ?? {};
    this.entries.set(key, entry);
    if (entry.value && entry.value.expiration.getTime() - this.refreshMarginMs > this.deps.now()) return Promise.resolve(entry.value);
    if (entry.inflight) return entry.inflight;
    entry.inflight = this.assume(target, principal)
      .then((value) => {
        entry.value = value;
        return value;
      })
      .finally(() => {
        entry.inflight = undefined;
      });
    return entry.inflight;
  }

  /** Forget cached credentials (e.g. after ExpiredTokenException from a clock jump). */
  invalidate(target: RoleTarget, principal: Principal): void {
    this.entries.delete(cacheKey(target, principal));
  }

  private async assume(target: RoleTarget, principal: Principal): Promise<AssumedCredentials> {
    const sessionName = principal.kind === "service" ? SERVICE_SESSION_NAME : sessionNameFor(principal.email || principal.id);
    try {
      const out = await this.deps.sts(target).send(
        new AssumeRoleCommand({
          RoleArn: target.roleArn,
          RoleSessionName: sessionName,
          DurationSeconds: this.durationSeconds,
          ...(target.externalId ? { ExternalId: target.externalId } : {}),
          ...(principal.kind === "person" ? { SourceIdentity: sessionName } : {}),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw Object.assign(new Error("AssumeRole returned no credentials"), { name: "KMSInternalException" });
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
        assumedRoleArn: out.AssumedRoleUser?.Arn,
      };
    } catch (error) {
      throw toKmsError(error);
    }
  }
}

function cacheKey(target: RoleTarget, principal: Principal): string {
  return JSON.stringify([target.id, target.roleArn, target.externalId ?? null, principal.kind === "service" ? "service" : principal.id]);
}
