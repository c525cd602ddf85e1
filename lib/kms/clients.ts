import { KMSClient } from "@aws-sdk/client-kms";
import { STSClient } from "@aws-sdk/client-sts";
import { AssumedRoleCache, type Principal, type RoleTarget } from "./credentials";

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
        credentials: () => this.roles.get(target, principal),
      });
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
