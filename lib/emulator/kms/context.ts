import type { Caller } from "../auth";
import type { WrappingKeyPool } from "../crypto/wrapping-key-pool";
import type { Store } from "../state";
import type { KmsInput } from "./input";

/** What a KMS operation handler gets: the caller, where it acts, the time, and the emulator's state. */
export interface KmsContext {
  operation: string;
  store: Store;
  caller: Caller;
  /** The Region the request was signed for. */
  region: string;
  /** Emulator clock, epoch ms, fixed for the duration of the request. */
  now: number;
  tokenKey: Buffer;
  pool: WrappingKeyPool;
  /** Records that state changed outside the operation's own mutation (lazy expiry). */
  markDirty(): void;
}

export interface KmsOperation {
  handler(ctx: KmsContext, input: KmsInput): unknown;
  /** Whether a successful call changes state that `--state` must persist. */
  mutates: boolean;
}
