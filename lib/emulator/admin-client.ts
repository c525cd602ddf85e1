import type { FaultType, FaultWhen } from "./controls";

/**
 * A plain-fetch client for the admin API, for tests and scripts that drive an emulator started with
 * `admin: true`.
 */
export interface AdminClient {
  status(): Promise<{ now: string; clockOffsetMs: number; wrappingKeyPool: Record<string, number>; calls: Record<string, number> }>;
  /** Sets the emulator clock to an absolute time. */
  setClock(at: Date | number): Promise<{ now: string }>;
  advanceClock(ms: number): Promise<{ now: string }>;
  /** `when: "after"` carries the call out and then holds its answer for `ms`. */
  setLatency(ms: number, operation?: string, when?: FaultWhen): Promise<void>;
  /** Limits an operation to `perSecond` calls per second (per account and Region); null lifts the limit. */
  throttle(operation: string, perSecond: number | null): Promise<void>;
  /** `when: "after"` carries the call out and then fails it (AWS applied it, the answer was lost). */
  /** `region`: only calls to that Region fail. */
  injectFaults(fault: { type: FaultType; rate: number; operation?: string; when?: FaultWhen; region?: string }): Promise<void>;
  getCallCounts(): Promise<Record<string, number>>;
  /** Clears controls and counts; with `state`, also reseeds and resets the clock. */
  reset(options?: { state?: boolean }): Promise<void>;
}

export function adminClient(endpoint: string): AdminClient {
  const call = async <T>(method: "GET" | "POST", route: string, body?: unknown): Promise<T> => {
    const response = await fetch(new URL(`/__admin/${route}`, endpoint), {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(`Emulator admin ${route} failed (${response.status}): ${json.error ?? ""}`);
    return json;
  };
  return {
    status: () => call("GET", "status"),
    setClock: (at) => call("POST", "clock", { set: typeof at === "number" ? at : at.getTime() }),
    advanceClock: (ms) => call("POST", "clock", { advanceMs: ms }),
    setLatency: async (ms, operation, when) => void (await call("POST", "latency", { ms, operation, when })),
    throttle: async (operation, perSecond) => void (await call("POST", "throttle", { operation, perSecond })),
    injectFaults: async (fault) => void (await call("POST", "faults", fault)),
    getCallCounts: async () => (await call<{ calls: Record<string, number> }>("GET", "calls")).calls,
    reset: async (options = {}) => void (await call("POST", "reset", options)),
  };
}
