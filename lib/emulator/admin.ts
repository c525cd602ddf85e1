import { z } from "zod";
import type { Clock } from "./clock";
import { ALL_OPERATIONS, FAULT_TYPES, type Controls } from "./controls";
import type { PoolTargets } from "./crypto/wrapping-key-pool";

/**
 * The admin API (only with `--admin`, only from loopback), JSON under `/__admin/`:
 *
 *   GET  /__admin/status                          clock, wrapping-key pool, controls, call counts
 *   POST /__admin/clock     {set?: epochMs|ISO, advanceMs?: number}
 *   POST /__admin/latency   {ms, operation?, when?}  added before every AWS call (or one operation's);
 *                                                 when "after", the call is carried out, then answered late
 *   POST /__admin/throttle  {operation, perSecond}  ThrottlingException beyond the rate; null lifts it
 *   POST /__admin/faults    {type, rate, operation?, when?, region?}  DependencyTimeout/KMSInternal (KMS) or
 *                                                 AccessDenied (STS, or a KMS operation) at rate 0..1, in one Region or all;
 *                                                 when "after", the call is carried out, then fails
 *   GET  /__admin/calls                           calls per operation
 *   POST /__admin/reset     {state?: boolean}      controls and counts; with state, reseed and reset the clock
 */

export const ADMIN_PREFIX = "/__admin/";

export interface AdminTarget {
  clock: Clock;
  controls: Controls;
  poolSizes(): PoolTargets;
  resetState(): Promise<void>;
  markDirty(): void;
}

const clockBody = z
  .object({ set: z.union([z.number(), z.string()]).optional(), advanceMs: z.number().optional() })
  .refine((body) => body.set !== undefined || body.advanceMs !== undefined, "Give set or advanceMs");
const latencyBody = z.object({ ms: z.number().min(0), operation: z.string().min(1).optional(), when: z.enum(["before", "after"]).optional() });
const throttleBody = z.object({ operation: z.string().min(1), perSecond: z.number().min(0).nullable() });
const faultsBody = z.object({
  type: z.enum(FAULT_TYPES),
  rate: z.number().min(0).max(1),
  operation: z.string().min(1).optional(),
  when: z.enum(["before", "after"]).optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/).optional(),
});
const resetBody = z.object({ state: z.boolean().optional() });

export interface AdminResponse {
  status: number;
  body: unknown;
}

export async function handleAdmin(target: AdminTarget, method: string, path: string, rawBody: Buffer): Promise<AdminResponse> {
  const route = `${method} ${path.slice(ADMIN_PREFIX.length)}`;
  let json: unknown = {};
  if (rawBody.length > 0) {
    try {
      json = JSON.parse(rawBody.toString("utf8"));
    } catch {
      return { status: 400, body: { error: "Body must be JSON." } };
    }
  }
  const parse = <T>(schema: z.ZodType<T>): T | AdminResponse => {
    const result = schema.safeParse(json);
    return result.success ? result.data : { status: 400, body: { error: z.prettifyError(result.error) } };
  };
  const isError = (value: unknown): value is AdminResponse =>
    typeof value === "object" && value !== null && "status" in value && "body" in value;
  const { clock, controls } = target;

  switch (route) {
    case "GET status":
      return {
        status: 200,
        body: { now: new Date(clock.now()).toISOString(), clockOffsetMs: clock.offset, wrappingKeyPool: target.poolSizes(), controls: controls.describe(), calls: controls.callCounts() },
      };
    case "POST clock": {
      const body = parse(clockBody);
      if (isError(body)) return body;
      if (body.set !== undefined) {
        const at = typeof body.set === "number" ? body.set : Date.parse(body.set);
        if (!Number.isFinite(at)) return { status: 400, body: { error: "set must be epoch ms or an ISO 8601 date" } };
        clock.set(at);
      }
      if (body.advanceMs !== undefined) clock.advance(body.advanceMs);
      target.markDirty();
      return { status: 200, body: { now: new Date(clock.now()).toISOString(), clockOffsetMs: clock.offset } };
    }
    case "POST latency": {
      const body = parse(latencyBody);
      if (isError(body)) return body;
      controls.setLatency(body.ms, body.operation ?? ALL_OPERATIONS, body.when);
      return { status: 200, body: controls.describe() };
    }
    case "POST throttle": {
      const body = parse(throttleBody);
      if (isError(body)) return body;
      controls.setThrottle(body.operation, body.perSecond);
      return { status: 200, body: controls.describe() };
    }
    case "POST faults": {
      const body = parse(faultsBody);
      if (isError(body)) return body;
      controls.setFault(body.type, body.rate, body.operation ?? ALL_OPERATIONS, body.when ?? "before", body.region);
      return { status: 200, body: controls.describe() };
    }
    case "GET calls":
      return { status: 200, body: { calls: controls.callCounts() } };
    case "POST reset": {
      const body = parse(resetBody);
      if (isError(body)) return body;
      controls.reset();
      if (body.state) await target.resetState();
      return { status: 200, body: { reset: body.state ? ["controls", "calls", "state", "clock"] : ["controls", "calls"] } };
    }
    default:
      return { status: 404, body: { error: `No admin route ${method} ${path}` } };
  }
}
