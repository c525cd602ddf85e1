import { GENESIS_HASH, computeEventHash } from "./canonical";
import type { AuditBreakReason, AuditEvent } from "./events";

/**
 * Walks events in seq order and reports the first broken link. Shared by verifyAudit (database) and
 * verifyExport (an export file), so both apply exactly the same rules:
 *  1. sequence_gap       — seq is not previous seq + 1 (the first event must be seq 1);
 *  2. prev_hash_mismatch — prev_hash is not the previous event's hash (GENESIS_HASH for seq 1);
 *  3. hash_mismatch      — hash is not SHA-256(prev_hash ‖ canonical content) (see canonical.ts).
 *
 * With `complete: false` (a filtered export) gaps are expected: every event's own hash is still checked,
 * and prev_hash only where the previous seq is present (or for seq 1).
 */
export class ChainVerifier {
  count = 0;
  lastSeq = 0;
  lastHash = GENESIS_HASH;

  constructor(private readonly complete: boolean = true) {}

  /** Checks the next event; returns why it breaks the chain, or null (and advances). */
  check(e: AuditEvent): AuditBreakReason | null {
    const consecutive = e.seq === this.lastSeq + 1;
    if (this.complete ? !consecutive : e.seq <= this.lastSeq) return "sequence_gap";
    const linked = this.complete || (consecutive && (this.count > 0 || e.seq === 1));
    if (linked && e.prevHash !== this.lastHash) return "prev_hash_mismatch";
    if (computeEventHash(e.prevHash, e) !== e.hash) return "hash_mismatch";
    this.count += 1;
    this.lastSeq = e.seq;
    this.lastHash = e.hash;
    return null;
  }
}
