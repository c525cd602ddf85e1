/** How close key material is to its ValidTo (pure: pages and badges share it). */
export type ExpiryStatus = "none" | "ok" | "expiring" | "expired";

export function expiryStatus(validTo: Date | null, now: number, warningDays: number): ExpiryStatus {
  if (!validTo) return "none";
  const left = validTo.getTime() - now;
  if (left <= 0) return "expired";
  return left <= warningDays * 24 * 3600_000 ? "expiring" : "ok";
}
