/**
 * PostgreSQL advisory-lock keys used by Keyport. Constants, so every app instance sharing a database agrees.
 * (Arbitrary values in the bigint key space; chosen to be unlikely to collide with other applications.)
 */
export const ADVISORY_LOCK = {
  /** Held (session level) while migrations run, so concurrent start-ups migrate one after another. */
  migrations: 7_208_151_900_001,
  /** Held (transaction level) by every audit append, so the hash chain never forks. */
  auditAppend: 7_208_151_900_002,
  /** Held (transaction level) while schedule facts are rewritten, so two rewrites never interleave. */
  scheduleFacts: 7_208_151_900_003,
} as const;
