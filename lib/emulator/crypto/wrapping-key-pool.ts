import { generateKeyPair } from "node:crypto";
import type { RsaWrappingKeySpec } from "./wrap";

/**
 * GetParametersForImport hands out a fresh RSA key pair on every call, and an RSA_4096 pair takes a second
 * or more to generate. The pool generates pairs ahead of demand, off the event loop (async
 * `generateKeyPair` runs on libuv's thread pool), so a call usually just takes one. When the pool is empty
 * the call waits for a pair generated on demand rather than failing.
 */

export interface WrappingKeyPair {
  /** DER SubjectPublicKeyInfo, what GetParametersForImport returns as PublicKey. */
  publicKeyDer: Buffer;
  /** PKCS#8 DER, sealed into the import token. */
  privateKeyDer: Buffer;
}

export type PoolTargets = Record<RsaWrappingKeySpec, number>;

export const RSA_WRAPPING_SPECS: RsaWrappingKeySpec[] = ["RSA_2048", "RSA_3072", "RSA_4096"];

export function generateWrappingKeyPair(spec: RsaWrappingKeySpec): Promise<WrappingKeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      "rsa",
      {
        modulusLength: Number(spec.slice("RSA_".length)),
        publicKeyEncoding: { type: "spki", format: "der" },
        privateKeyEncoding: { type: "pkcs8", format: "der" },
      },
      (error, publicKeyDer, privateKeyDer) => {
        if (error) reject(error);
        else resolve({ publicKeyDer, privateKeyDer });
      },
    );
  });
}

export class WrappingKeyPool {
  private readonly ready = new Map<RsaWrappingKeySpec, WrappingKeyPair[]>();
  private readonly inFlight = new Map<RsaWrappingKeySpec, number>();
  /** Calls waiting for a pair of a spec whose pool ran dry; served first by the next pair generated. */
  private readonly waiting = new Map<RsaWrappingKeySpec, Array<(pair: WrappingKeyPair) => void>>();
  private backgroundRunning = 0;
  private stopped = false;
  private readonly fillWaiters: Array<() => void> = [];

  /**
   * @param targets how many pairs to keep ready per spec
   * @param concurrency background generations at once; 1 leaves a core free to serve requests
   */
  constructor(
    private readonly targets: PoolTargets,
    private readonly concurrency = 1,
  ) {
    for (const spec of RSA_WRAPPING_SPECS) {
      this.ready.set(spec, []);
      this.inFlight.set(spec, 0);
      this.waiting.set(spec, []);
    }
  }

  start(): void {
    this.refill();
  }

  stop(): void {
    this.stopped = true;
  }

  size(spec: RsaWrappingKeySpec): number {
    return this.ready.get(spec)?.length ?? 0;
  }

  sizes(): PoolTargets {
    return { RSA_2048: this.size("RSA_2048"), RSA_3072: this.size("RSA_3072"), RSA_4096: this.size("RSA_4096") };
  }

  /** Resolves when every spec has reached its target (used by the benchmark before it measures). */
  whenFilled(): Promise<void> {
    if (this.isFilled()) return Promise.resolve();
    return new Promise((resolve) => this.fillWaiters.push(resolve));
  }

  take(spec: RsaWrappingKeySpec): Promise<WrappingKeyPair> {
    const pair = this.ready.get(spec)?.shift();
    if (pair) {
      this.refill();
      return Promise.resolve(pair);
    }
    // Dry: wait for a generation already under way, or start one for this call (beyond the background
    // concurrency limit, since someone is waiting for it).
    const waiters = this.waiting.get(spec) as Array<(pair: WrappingKeyPair) => void>;
    const promise = new Promise<WrappingKeyPair>((resolve) => waiters.push(resolve));
    if ((this.inFlight.get(spec) ?? 0) < waiters.length) this.generate(spec, false);
    return promise;
  }

  private isFilled(): boolean {
    return RSA_WRAPPING_SPECS.every((spec) => this.size(spec) >= this.targets[spec]);
  }

  private refill(): void {
    while (!this.stopped && this.backgroundRunning < this.concurrency) {
      const spec = this.mostNeeded();
      if (!spec) break;
      this.generate(spec, true);
    }
  }

  private generate(spec: RsaWrappingKeySpec, background: boolean): void {
    if (background) this.backgroundRunning += 1;
    this.inFlight.set(spec, (this.inFlight.get(spec) ?? 0) + 1);
    const done = () => {
      if (background) this.backgroundRunning -= 1;
      this.inFlight.set(spec, (this.inFlight.get(spec) ?? 1) - 1);
    };
    generateWrappingKeyPair(spec).then(
      (pair) => {
        done();
        const waiter = this.waiting.get(spec)?.shift();
        if (waiter) waiter(pair);
        else if (!this.stopped) this.ready.get(spec)?.push(pair);
        if (this.isFilled()) this.fillWaiters.splice(0).forEach((resolve) => resolve());
        this.refill();
      },
      () => {
        // Generation failing is not expected; retry so a waiting call is not left hanging.
        done();
        if ((this.waiting.get(spec)?.length ?? 0) > (this.inFlight.get(spec) ?? 0)) this.generate(spec, false);
        this.refill();
      },
    );
  }

  /** The spec furthest below its target, counting generations already under way. */
  private mostNeeded(): RsaWrappingKeySpec | undefined {
    let best: RsaWrappingKeySpec | undefined;
    let bestDeficit = 0;
    for (const spec of RSA_WRAPPING_SPECS) {
      const pending = (this.inFlight.get(spec) ?? 0) - (this.waiting.get(spec)?.length ?? 0);
      const deficit = this.targets[spec] - this.size(spec) - Math.max(0, pending);
      if (deficit > bestDeficit) {
        best = spec;
        bestDeficit = deficit;
      }
    }
    return best;
  }
}
