/**
 * A zip entry's modification time is stored as DOS local date and time fields, which fflate fills from the
 * Date's local fields: the same instant zips differently on servers in different time zones. This Date's
 * local fields are the UTC fields of `at`, so the stored stamp reads as `at` in UTC everywhere.
 *
 * Pure (no server-only): the single-request zip (downloads.ts) and the multi-Region session bundle use it.
 */
export function zipStamp(at: Date): Date {
  return new Date(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds());
}
