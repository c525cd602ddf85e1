import { randomBytes } from "node:crypto";
import type { AdminTarget } from "./admin";
import { assertNotExpired, resolveCaller, type Caller } from "./auth";
import { Clock } from "./clock";
import { Controls } from "./controls";
import { deriveTokenKey } from "./crypto/import-token";
import { WrappingKeyPool, type PoolTargets } from "./crypto/wrapping-key-pool";
import { AuthError, KmsError, StsError, kms, kmsAuthError, stsAuthError } from "./errors";
import { newRequestId } from "./ids";
import type { KmsContext } from "./kms/context";
import type { KmsInput } from "./kms/input";
import { kmsOperations } from "./kms/operations";
import { StateFile } from "./persistence";
import { applySeed, parseSeed, type ParsedSeed } from "./seed";
import { parseAuthorization, verifySignature, type IncomingSignedRequest } from "./sigv4";
import { Store, type BaseCredentials } from "./state";
import { stsOperations } from "./sts/operations";
import { stsErrorResponse, stsResponse } from "./sts/xml";

/**
 * The emulator proper: state, clock, controls and the wrapping-key pool, and the handling of one AWS
 * request from authentication to the wire response. HTTP plumbing lives in server.ts.
 */

export interface EmulatorConfig {
  seed: ParsedSeed;
  seedName: string;
  stateFile?: string;
  base: BaseCredentials;
  /** Credentials given explicitly override those in a loaded state file. */
  credentialsExplicit: boolean;
  poolTargets: PoolTargets;
  poolConcurrency: number;
}

export interface AwsResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const KMS_CONTENT_TYPE = "application/x-amz-json-1.1";
const KMS_TARGET_PREFIX = "TrentService.";

export class Emulator {
  readonly clock: Clock;
  readonly controls = new Controls();
  readonly pool: WrappingKeyPool;
  private readonly stateFile?: StateFile;
  private tokenKey: Buffer;

  private constructor(
    private store: Store,
    clockOffsetMs: number,
    private readonly config: EmulatorConfig,
    /** True when the state came from the state file (the requested seed was not applied). */
    readonly restored: boolean,
  ) {
    this.clock = new Clock(clockOffsetMs);
    this.tokenKey = deriveTokenKey(store.secret);
    this.pool = new WrappingKeyPool(config.poolTargets, config.poolConcurrency);
    if (config.stateFile) this.stateFile = new StateFile(config.stateFile, () => this.store.toJSON(this.clock.offset));
  }

  static async create(config: EmulatorConfig): Promise<Emulator> {
    const saved = config.stateFile ? await StateFile.load(config.stateFile) : undefined;
    if (saved) {
      const store = Store.fromJSON(saved);
      if (config.credentialsExplicit) {
        store.base.accessKeyId = config.base.accessKeyId;
        store.base.secretAccessKey = config.base.secretAccessKey;
      }
      return new Emulator(store, saved.clockOffsetMs, config, true);
    }
    const store = new Store({ ...config.base }, randomBytes(32), config.seedName, []);
    await applySeed(store, config.seed, Date.now());
    const emulator = new Emulator(store, 0, config, false);
    emulator.markDirty();
    return emulator;
  }

  get state(): Store {
    return this.store;
  }

  start(): void {
    this.pool.start();
  }

  markDirty(): void {
    this.stateFile?.markDirty();
  }

  get admin(): AdminTarget {
    return {
      clock: this.clock,
      controls: this.controls,
      poolSizes: () => this.pool.sizes(),
      resetState: () => this.resetState(),
      markDirty: () => this.markDirty(),
    };
  }

  /** Back to a freshly seeded state and the wall clock (admin reset with `state: true`). */
  async resetState(): Promise<void> {
    // The seed of the state in use, which for a restored state file is the one it was created with.
    const store = new Store({ ...this.store.base }, this.store.secret, this.store.seed, []);
    await applySeed(store, parseSeed(this.store.seed), Date.now());
    this.store = store;
    this.tokenKey = deriveTokenKey(store.secret);
    this.clock.reset();
    this.markDirty();
  }

  async close(): Promise<void> {
    this.pool.stop();
    if (this.stateFile) {
      this.markDirty();
      await this.stateFile.flush();
    }
  }

  /** Routes a request by protocol: AWS JSON 1.1 with `X-Amz-Target: TrentService.*` is KMS, awsQuery is STS. */
  async handle(request: IncomingSignedRequest): Promise<AwsResponse> {
    const requestId = newRequestId();
    const target = headerOf(request, "x-amz-target");
    if (target !== undefined) {
      const operation = target.startsWith(KMS_TARGET_PREFIX) ? target.slice(KMS_TARGET_PREFIX.length) : "";
      return this.handleKms(operation, request, requestId);
    }
    const contentType = headerOf(request, "content-type") ?? "";
    if (contentType.startsWith("application/x-www-form-urlencoded") || request.query.Action !== undefined) {
      return this.handleSts(request, requestId);
    }
    return kmsErrorResponse(new KmsError("UnknownOperationException", "Expected X-Amz-Target: TrentService.<Operation> (KMS) or a form-encoded Action (STS)."), requestId);
  }

  private async authenticate(request: IncomingSignedRequest, service: "kms" | "sts"): Promise<{ caller: Caller; region: string }> {
    const auth = parseAuthorization(headerOf(request, "authorization"));
    const caller = resolveCaller(this.store, auth.scope.accessKeyId, headerOf(request, "x-amz-security-token"));
    await verifySignature(request, auth, caller.secretAccessKey, service);
    assertNotExpired(caller, this.clock.now());
    return { caller, region: auth.scope.region };
  }

  private async delay(operation: string, when: "before" | "after" = "before"): Promise<void> {
    const ms = this.controls.latencyFor(operation, when);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private async handleKms(operationName: string, request: IncomingSignedRequest, requestId: string): Promise<AwsResponse> {
    try {
      const operation = kmsOperations.get(operationName);
      // Unknown names are counted together so arbitrary targets cannot grow the table.
      this.controls.count(operation ? operationName : "(unknown)");
      await this.delay(operationName);
      const { caller, region } = await this.authenticate(request, "kms");
      if (!operation) throw kms.unknownOperation();
      if (this.controls.isThrottled(operationName, caller.accountId, region)) throw kms.throttling();
      const fault = this.controls.faultFor(operationName, "before", region);
      if (fault === "DependencyTimeoutException") throw kms.dependencyTimeout();
      if (fault === "KMSInternalException") throw kms.internal();
      if (fault === "AccessDenied") throw kms.accessDenied(`User: ${caller.arn} is not authorized to perform: kms:${operationName} (fault injected by the emulator)`);

      const ctx: KmsContext = {
        operation: operationName,
        store: this.store,
        caller,
        region,
        now: this.clock.now(),
        tokenKey: this.tokenKey,
        pool: this.pool,
        markDirty: () => this.markDirty(),
      };
      const result = await operation.handler(ctx, parseKmsBody(request.body));
      if (operation.mutates) this.markDirty();
      await this.delay(operationName, "after");
      const late = this.controls.faultFor(operationName, "after", region);
      if (late === "DependencyTimeoutException") throw kms.dependencyTimeout();
      if (late === "KMSInternalException") throw kms.internal();
      return { status: 200, headers: kmsHeaders(requestId), body: JSON.stringify(result) };
    } catch (error) {
      return kmsErrorResponse(error, requestId);
    }
  }

  private async handleSts(request: IncomingSignedRequest, requestId: string): Promise<AwsResponse> {
    const params = new URLSearchParams(request.body.toString("utf8"));
    for (const [name, value] of Object.entries(request.query)) {
      if (!params.has(name)) params.set(name, Array.isArray(value) ? (value[0] ?? "") : value);
    }
    const action = params.get("Action") ?? "";
    try {
      const operation = stsOperations.get(action);
      this.controls.count(operation ? action : "(unknown)");
      await this.delay(action);
      const { caller, region } = await this.authenticate(request, "sts");
      if (!operation) throw new StsError("InvalidAction", `Could not find operation ${action} for version ${params.get("Version") ?? "NO_VERSION_SPECIFIED"}`);
      if (this.controls.isThrottled(action, caller.accountId, region)) throw new StsError("Throttling", "Rate exceeded");
      if (this.controls.faultFor(action) === "AccessDenied") {
        throw new StsError("AccessDenied", `User: ${caller.arn} is not authorized to perform: sts:${action} (fault injected by the emulator)`, 403);
      }
      const result = operation.handler({ store: this.store, caller, now: this.clock.now() }, params);
      if (operation.mutates) this.markDirty();
      return { status: 200, headers: stsHeaders(requestId), body: stsResponse(action, result, requestId) };
    } catch (error) {
      const stsError =
        error instanceof StsError ? error : error instanceof AuthError ? stsAuthError(error) : unexpected(error, new StsError("InternalFailure", "An internal error occurred.", 500, "Receiver"));
      return { status: stsError.status, headers: stsHeaders(requestId), body: stsErrorResponse(stsError.faultType, stsError.code, stsError.message, requestId) };
    }
  }
}

function headerOf(request: IncomingSignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function parseKmsBody(body: Buffer): KmsInput {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw kms.serialization("The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw kms.serialization("The request body must be a JSON object.");
  return parsed as KmsInput;
}

function kmsHeaders(requestId: string): Record<string, string> {
  return { "content-type": KMS_CONTENT_TYPE, "x-amzn-requestid": requestId };
}

function stsHeaders(requestId: string): Record<string, string> {
  return { "content-type": "text/xml", "x-amzn-requestid": requestId };
}

function kmsErrorResponse(error: unknown, requestId: string): AwsResponse {
  const kmsError = error instanceof KmsError ? error : error instanceof AuthError ? kmsAuthError(error) : unexpected(error, kms.internal());
  return {
    status: kmsError.status,
    headers: kmsHeaders(requestId),
    body: JSON.stringify(kmsError.message ? { __type: kmsError.type, message: kmsError.message } : { __type: kmsError.type }),
  };
}

/** A bug in the emulator: logged for its developer, answered as the service's internal error. */
function unexpected<T>(error: unknown, answer: T): T {
  console.error("[emulator] unexpected error:", error);
  return answer;
}
