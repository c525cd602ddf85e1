import type { KeyObject } from "node:crypto";
import { GENESIS_HASH, computeEventHash } from "./canonical";
import { CheckpointFollower, checkAgainstExternal, checkpointSignatureValid, type SignedCheckpoint } from "./checkpoint-format";
import type { AuditBreak, AuditBreakReason, AuditEvent, AuditVerification } from "./events";

/**
 * Walks events in seq order and says which rules each one breaks. Shared by verifyAudit (database) and
 * verifyExport (an export file), so both apply exactly the same rules:
 *  1. sequence_gap       — seq is not previous seq + 1 (the first event must be seq 1);
 *  2. prev_hash_mismatch — prev_hash is not the previous event's hash (GENESIS_HASH for seq 1); not checked
 *                          across a gap, which already says the link is broken;
 *  3. hash_mismatch      — hash is not SHA-256(prev_hash ‖ canonical content) (see canonical.ts).
 *
 * After each event the walk goes on from that event's own stored seq and hash, whatever it broke, so one
 * damaged event is reported once: an edited event breaks rule 3 at its seq only (the next one still points
 * at its stored hash), a deleted one breaks rule 1 at the event after it, an edited and rehashed one breaks
 * rule 2 at the event after it. A chain rewritten and rehashed to its end breaks none of them: only
 * checkpoints show that (TrailVerifier).
 *
 * With `complete: false` (a filtered export) gaps are expected: every event's own hash is still checked,
 * and prev_hash only where the previous seq is present (or for seq 1).
 */
export class ChainVerifier {
  count = 0;
  lastSeq = 0;
  lastHash = GENESIS_HASH;

  constructor(private readonly complete: boolean = true) {}

  /** Checks the next event and moves on to it; returns the rules it breaks (none: it holds). */
  check(e: AuditEvent): AuditBreakReason[] {
    const reasons: AuditBreakReason[] = [];
    const consecutive = e.seq === this.lastSeq + 1;
    if (this.complete ? !consecutive : e.seq <= this.lastSeq) reasons.push("sequence_gap");
    else if ((this.complete || (consecutive && (this.count > 0 || e.seq === 1))) && e.prevHash !== this.lastHash) reasons.push("prev_hash_mismatch");
    if (computeEventHash(e.prevHash, e) !== e.hash) reasons.push("hash_mismatch");
    this.count += 1;
    this.lastSeq = e.seq;
    this.lastHash = e.hash;
    return reasons;
  }
}

export type TrailVerifyOptions = {
  /** The checkpoint signing key's public key; without it signatures are not checked (heads and links are). */
  publicKey?: KeyObject | null;
  /** The signing key's ARN: a checkpoint naming another key breaks. */
  keyArn?: string | null;
  /** The latest checkpoint kept outside the database: the chain must reach its head, with the same hash. */
  latestExternal?: SignedCheckpoint | null;
  /** Breaks listed at most (the rest are counted). Default 100. */
  maxBreaks?: number;
};

export const DEFAULT_MAX_BREAKS = 100;

/**
 * The chain rules (ChainVerifier) and the checkpoint rules (CheckpointFollower) over one walk, collecting
 * every break. Feed every event in seq order, then call `result()`. With `complete: false` (a filtered
 * export) checkpoints are not followed: their heads and predecessors may be filtered out.
 */
export class TrailVerifier<Extra = never> {
  private readonly chain: ChainVerifier;
  private readonly follower: CheckpointFollower | null;
  private readonly max: number;
  private readonly breaks: (AuditBreak | Extra)[] = [];
  private breakCount = 0;
  private checkpoints = 0;
  private lastCheckpointSeq: number | null = null;
  // The stored hash and id at the external checkpoint's head, caught on the way past.
  private externalHead: { hash: string; id: string } | undefined;

  constructor(
    private readonly opts: TrailVerifyOptions = {},
    complete = true,
  ) {
    this.chain = new ChainVerifier(complete);
    this.follower = complete ? new CheckpointFollower(opts.publicKey ?? null, opts.keyArn ?? null) : null;
    this.max = Math.max(0, opts.maxBreaks ?? DEFAULT_MAX_BREAKS);
  }

  event(e: AuditEvent): void {
    const broken = this.chain.check(e);
    for (const reason of broken) this.add({ seq: e.seq, id: e.id, reason });
    if (!this.follower) return;
    const before = this.follower.count;
    const reason = this.follower.event(e);
    if (reason) this.add({ seq: e.seq, id: e.id, reason });
    // A checkpoint holds when its statement does and its event is intact in the chain.
    else if (this.follower.count > before && broken.length === 0) {
      this.checkpoints += 1;
      this.lastCheckpointSeq = this.follower.latest!.statement.seq;
    }
    if (e.seq === this.opts.latestExternal?.statement.seq) this.externalHead = { hash: e.hash, id: e.id };
  }

  /** A break found outside the chain rules (a malformed export record). */
  add(b: AuditBreak | Extra): void {
    this.breakCount += 1;
    if (this.breaks.length < this.max) this.breaks.push(b);
  }

  /**
   * The verdict, once the walk is over (call it once); `checkEnd: false` skips the external checkpoint (the
   * walk stopped before the chain's end).
   */
  result(checkEnd = true): AuditVerification<AuditBreak | Extra> {
    const external = this.follower && checkEnd ? (this.opts.latestExternal ?? null) : null;
    if (external) this.checkExternal(external);
    return {
      ok: this.breakCount === 0,
      count: this.chain.count,
      lastSeq: this.chain.lastSeq,
      lastHash: this.chain.lastHash,
      checkpoints: this.checkpoints,
      lastCheckpointSeq: this.lastCheckpointSeq,
      signaturesChecked: Boolean(this.follower && this.opts.publicKey),
      externalChecked: external !== null,
      breaks: this.breaks,
      breakCount: this.breakCount,
      truncatedBreaks: this.breakCount > this.breaks.length,
    };
  }

  private checkExternal(external: SignedCheckpoint): void {
    const { seq } = external.statement;
    const at = { seq, id: this.externalHead?.id ?? null };
    const { publicKey, keyArn } = this.opts;
    if (keyArn && external.statement.keyArn !== keyArn) return this.add({ ...at, reason: "checkpoint_key_mismatch" });
    if (publicKey && !checkpointSignatureValid(external, publicKey)) return this.add({ ...at, reason: "checkpoint_signature_invalid" });
    const reason = checkAgainstExternal(external, this.chain.lastSeq, (s) => (s === seq ? this.externalHead?.hash : undefined));
    if (reason) this.add({ ...at, reason });
  }
}
