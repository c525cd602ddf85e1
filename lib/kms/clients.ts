import { KMSClient, type ServiceInputTypes, type ServiceOutputTypes } from "@aws-sdk/client-kms";
import type { FinalizeRequestMiddleware } from "@smithy/types";
import { STSClient } from "@aws-sdk/client-sts";
import { AssumedRoleCache, type Principal, type RoleTarget } from "./credentials";
import { noteCall, toKmsError, unexpectedAnswer } from "./errors";

type KmsMiddleware = FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes>;

/**
 * Calls that must not be sent twice on the SDK's own initiative. A timeout or a 5xx can come after AWS
 * applied the call: ImportKeyMaterial sent again adds NEW_KEY_MATERIAL a second time (or is refused), and
 * RotateKeyOnDemand rotates again. The workflow records such a failure and its retry asks KMS what it holds
 * first (lib/imports/reconcile.ts). DeleteImportedKeyMaterial is not here: in PendingImport it succeeds with
 * no effect, so repeating it is harmless.
 */
const NOT_REPEATED_WHEN_AMBIGUOUS = new Set(["ImportKeyMaterial", "RotateKeyOnDemand"]);

/** Failures that prove the call did not take effect: refused for rate, or never connected. */
function certainlyNotApplied(error: unknown): boolean {
  const e = (typeof error === "object" && error !== null ? error : {}) as { name?: string; code?: string; cause?: { code?: string }; $metadata?: { httpStatusCode?: number } };
  if (e.name === "ThrottlingException" || e.$metadata?.httpStatusCode === 429) return true;
  return (e.code ?? e.cause?.code) === "ECONNREFUSED";
}

/**
 * Inside the SDK's retry loop, on every attempt: notes which operation and endpoint a failure came from (for
 * the sentence toKmsError writes), and turns an answer whose body is not AWS's (an HTML error page) into an
 * error the SDK does not retry — unless its status is one a gateway or rate limiter sends (unexpectedAnswer).
 * A call in NOT_REPEATED_WHEN_AMBIGUOUS that may have taken effect fails at once, as a KmsError the SDK does
 * not retry (it carries no HTTP status).
 */
function classifyAnswer<I extends object, O extends object>(): FinalizeRequestMiddleware<I, O> {
  return (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (error) {
      const request = args.request as { hostname?: string; port?: number };
      const host = request.hostname ? `${request.hostname}${request.port ? `:${request.port}` : ""}` : undefined;
      const call = { operation: String(context.commandName ?? "").replace(/Command$/, "") || "the request", host };
      const mapped = unexpectedAnswer(error, call);
      noteCall(mapped, call);
      if (NOT_REPEATED_WHEN_AMBIGUOUS.has(call.operation) && !certainlyNotApplied(mapped)) throw toKmsError(mapped);
      throw mapped;
    }
  };
}
const CLASSIFY_ANSWER = { relation: "after", toMiddleware: "retryMiddleware", name: "keyportClassifyAnswer" } as const;

function isExpiredSession(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === "ExpiredTokenException" || name === "ExpiredToken";
}

export type KmsTarget = RoleTarget & { name: string; accountId: string; regions: string[] };

export type KmsAccessOptions = {
  targets: KmsTarget[];
  /** Send KMS and STS calls here instead of AWS (the emulator, a VPC endpoint). */
  endpoint?: string;
  now: () => number;
  /** Attempts per call, including the first; the SDK's adaptive mode backs off and rate-limits on throttling. */
  maxAttempts?: number;
  /** Test seam: credentials for STS. Unset, the SDK's default provider chain applies. */
  baseCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** Lifetime asked of STS for assumed-role sessions. */
  sessionSeconds?: number;
};

/**
 * KMS clients per target, Region and principal, each signing with assumed-role
 * credentials from one shared cache. Knows nothing of the database or the UI.
 */
export class KmsAccess {
  readonly roles: AssumedRoleCache;
  private readonly kmsClients = new Map<string, KMSClient>();
  private readonly stsClients = new Map<string, STSClient>();
  private readonly targets: Map<string, KmsTarget>;

  constructor(private readonly options: KmsAccessOptions) {
    this.targets = new Map(options.targets.map((t) => [t.id, t]));
    this.roles = new AssumedRoleCache({
      sts: (target) => this.sts(this.target(target.id).regions[0] ?? "us-east-1"),
      now: options.now,
      durationSeconds: options.sessionSeconds,
    });
  }

  target(id: string): KmsTarget {
    const target = this.targets.get(id);
    if (!target) throw new RangeError(`Unknown target "${id}"`);
    return target;
  }

  listTargets(): KmsTarget[] {
    return [...this.targets.values()];
  }

  /** A KMS client for one target and Region, signing as `principal`. */
  kms(targetId: string, region: string, principal: Principal): KMSClient {
    const target = this.target(targetId);
    if (!target.regions.includes(region)) throw new RangeError(`Target "${targetId}" has no Region "${region}"`);
    const key = `${targetId}|${region}|${principal.kind === "service" ? "service" : `person:${principal.id}`}`;
    let client = this.kmsClients.get(key);
    if (!client) {
      client = new KMSClient({
        region,
        endpoint: this.options.endpoint,
        maxAttempts: this.options.maxAttempts ?? 6,
        retryMode: "adaptive",
        // Resolve the middleware stack once per command type instead of on every call: a refresh sends
        // thousands of DescribeKey calls, and re-sorting the stack each time was a measurable share of the
        // SDK's CPU per call. The stack is final once the middleware below is added.
        cacheMiddleware: true,
        credentials: async () => {
          const credentials = await this.roles.get(target, principal);
          // The SDK memoizes credentials until 5 minutes before `expiration` by the machine's clock. Keyport's
          // cache above already does that on Keyport's clock (which tests and the demo move), so the SDK is
          // told they expire now — real time, deliberately not lib/clock — and asks the cache on every call.
          return { ...credentials, expiration: new Date(Date.now()) };
        },
      });
      // A session AWS says has expired (clock skew, a demo clock jump): forget it, assume the role again,
      // and send the request once more. Placed before the retry middleware, so the request is signed anew.
      const renewExpiredSession: KmsMiddleware = (next) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          if (!isExpiredSession(error)) throw error;
          this.roles.invalidate(target, principal);
          return next(args);
        }
      };
      client.middlewareStack.addRelativeTo(renewExpiredSession, {
        relation: "before",
        toMiddleware: "retryMiddleware",
        name: "keyportRenewExpiredSession",
      });
      client.middlewareStack.addRelativeTo(classifyAnswer(), CLASSIFY_ANSWER);
      this.kmsClients.set(key, client);
    }
    return client;
  }

  private sts(region: string): STSClient {
    let client = this.stsClients.get(region);
    if (!client) {
      client = new STSClient({
        region,
        endpoint: this.options.endpoint,
        maxAttempts: this.options.maxAttempts ?? 6,
        retryMode: "adaptive",
        ...(this.options.baseCredentials ? { credentials: this.options.baseCredentials } : {}),
      });
      client.middlewareStack.addRelativeTo(classifyAnswer(), CLASSIFY_ANSWER);
      this.stsClients.set(region, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.kmsClients.values()) client.destroy();
    for (const client of this.stsClients.values()) client.destroy();
    this.kmsClients.clear();
    this.stsClients.clear();
  }
}
