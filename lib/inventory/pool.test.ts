import { describe, expect, it } from "vitest";
import { ThrottleAwarePool } from "./pool";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
class Throttled extends Error {}

describe("ThrottleAwarePool", () => {
  it("never runs more than its concurrency, and runs everything pushed", async () => {
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    const pool = new ThrottleAwarePool<number>({
      concurrency: 4,
      isThrottle: () => false,
      run: async (n) => {
        active++;
        peak = Math.max(peak, active);
        await sleep(5);
        active--;
        done.push(n);
      },
    });
    for (let i = 0; i < 20; i++) pool.push(i);
    // Items keep arriving after the first ones started, as ListKeys pages do.
    await sleep(3);
    for (let i = 20; i < 30; i++) pool.push(i);
    pool.close();
    await pool.drain();
    expect(peak).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it("backs off on throttling and still finishes every task", async () => {
    const attempts = new Map<number, number>();
    let throttles = 0;
    const pool = new ThrottleAwarePool<number>({
      concurrency: 8,
      baseDelayMs: 1,
      isThrottle: (e) => e instanceof Throttled,
      run: async (n) => {
        const a = (attempts.get(n) ?? 0) + 1;
        attempts.set(n, a);
        if (a <= 2 && n % 3 === 0) {
          throttles++;
          throw new Throttled();
        }
      },
    });
    for (let i = 0; i < 30; i++) pool.push(i);
    pool.close();
    await pool.drain();
    expect(throttles).toBe(20);
    expect([...attempts.keys()].length).toBe(30);
    expect(attempts.get(3)).toBe(3);
    expect(attempts.get(4)).toBe(1);
  });

  it("halves its concurrency when throttled", async () => {
    const pool = new ThrottleAwarePool<number>({
      concurrency: 8,
      baseDelayMs: 50,
      isThrottle: () => true,
      maxThrottleRetries: 1,
      run: async () => {
        throw new Throttled();
      },
    });
    pool.push(1);
    await sleep(5);
    expect(pool.currentLimit).toBe(4);
    pool.close();
    await expect(pool.drain()).rejects.toBeInstanceOf(Throttled);
  });

  it("fails with the first other error and drops the rest", async () => {
    let ran = 0;
    const pool = new ThrottleAwarePool<number>({
      concurrency: 1,
      isThrottle: () => false,
      run: async (n) => {
        ran++;
        if (n === 2) throw new Error("access denied");
      },
    });
    for (let i = 1; i <= 5; i++) pool.push(i);
    pool.close();
    await expect(pool.drain()).rejects.toThrow("access denied");
    expect(ran).toBe(2);
  });

  it("drains at once when nothing was pushed", async () => {
    const pool = new ThrottleAwarePool<number>({ concurrency: 2, isThrottle: () => false, run: async () => undefined });
    pool.close();
    await expect(pool.drain()).resolves.toBeUndefined();
  });
});
