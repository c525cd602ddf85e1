/**
 * Test controls (behind `--admin`): latency, throttling, fault injection and call counting. The server
 * consults them on every AWS call; the admin routes change them.
 */

/**
 * DependencyTimeoutException and KMSInternalException apply to KMS operations; AccessDenied to STS ones
 * (AssumeRole refused, as when a role's trust policy changes under a running app).
 */
export const FAULT_TYPES = ["DependencyTimeoutException", "KMSInternalException", "AccessDenied"] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

/** `*` stands for every operation. */
export const ALL_OPERATIONS = "*";

/**
 * `before`: the call fails and nothing happens (the usual fault). `after`: the operation is carried out and
 * then answered with the fault — an ambiguous failure, as when AWS applied a call but the answer was lost.
 */
export type FaultWhen = "before" | "after";

interface Fault {
  operation: string;
  type: FaultType;
  rate: number;
  when: FaultWhen;
  /** Only calls to this Region (a multi-Region key's one Region failing); every Region when absent. */
  region?: string;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class Controls {
  /** Keyed by `${when}\n${operation}`: "after" holds the answer of a call already carried out. */
  private latency = new Map<string, number>();
  private throttles = new Map<string, number>();
  private faults: Fault[] = [];
  private readonly buckets = new Map<string, Bucket>();
  private readonly counts = new Map<string, number>();

  count(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  callCounts(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /**
   * `before` (the default) delays the call; `after` carries it out and then holds its answer — the window
   * in which a client that dies has had its call applied without hearing so.
   */
  setLatency(ms: number, operation = ALL_OPERATIONS, when: FaultWhen = "before"): void {
    if (ms <= 0) this.latency.delete(`${when}\n${operation}`);
    else this.latency.set(`${when}\n${operation}`, ms);
  }

  latencyFor(operation: string, when: FaultWhen = "before"): number {
    return this.latency.get(`${when}\n${operation}`) ?? this.latency.get(`${when}\n${ALL_OPERATIONS}`) ?? 0;
  }

  /** Limits `operation` to `perSecond` calls per second per account and Region; null or 0 lifts it. */
  setThrottle(operation: string, perSecond: number | null): void {
    if (!perSecond || perSecond <= 0) this.throttles.delete(operation);
    else this.throttles.set(operation, perSecond);
    for (const key of [...this.buckets.keys()]) if (key.startsWith(`${operation}\n`)) this.buckets.delete(key);
  }

  /**
   * Token bucket per operation, account and Region (KMS quotas are per account and Region), measured in
   * wall-clock time: a throttle is about real request rates, not the emulator clock.
   */
  isThrottled(operation: string, accountId: string, region: string): boolean {
    const rate = this.throttles.get(operation) ?? this.throttles.get(ALL_OPERATIONS);
    if (rate === undefined) return false;
    const id = `${operation}\n${accountId}\n${region}`;
    const now = Date.now();
    const bucket = this.buckets.get(id) ?? { tokens: rate, updatedAt: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    this.buckets.set(id, bucket);
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  }

  /**
   * Injects `type` into `rate` (0..1) of the calls to `operation` (in `region`, or any), `when` it applies;
   * rate 0 removes the fault.
   */
  setFault(type: FaultType, rate: number, operation = ALL_OPERATIONS, when: FaultWhen = "before", region?: string): void {
    this.faults = this.faults.filter((f) => !(f.operation === operation && f.type === type && f.when === when && f.region === region));
    if (rate > 0) this.faults.push({ operation, type, rate: Math.min(1, rate), when, ...(region ? { region } : {}) });
  }

  faultFor(operation: string, when: FaultWhen = "before", region?: string): FaultType | undefined {
    for (const fault of this.faults) {
      if (fault.when !== when) continue;
      if (fault.region !== undefined && fault.region !== region) continue;
      if ((fault.operation === operation || fault.operation === ALL_OPERATIONS) && Math.random() < fault.rate) return fault.type;
    }
    return undefined;
  }

  describe() {
    return {
      latencyMs: Object.fromEntries([...this.latency].map(([key, ms]) => [key.replace("\n", " "), ms])),
      throttlesPerSecond: Object.fromEntries(this.throttles),
      faults: this.faults.map((f) => ({ ...f })),
    };
  }

  reset(): void {
    this.latency = new Map();
    this.throttles = new Map();
    this.faults = [];
    this.buckets.clear();
    this.counts.clear();
  }
}
