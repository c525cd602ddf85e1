/** Columns the key list can be sorted by (pure: shared by the URL schema and the query layer). */
export const SORTABLE = ["alias", "keyId", "target", "region", "keySpec", "state", "validTo", "created"] as const;
export type SortKey = (typeof SORTABLE)[number];

/**
 * What the "Key material" column says about a key, in the words it shows:
 * - "dated": material with a ValidTo ("Expires in 3 days", "Expired 2 days ago");
 * - "never": material that does not expire ("Never expires");
 * - "none": no material to date ("No material" on a key awaiting import, or nothing known, "—").
 * The column and the sort both use this, so a sorted list never mixes rows the column labels differently.
 */
export type MaterialGroup = "dated" | "never" | "none";

export function materialGroup(key: { keyState: string | null; expirationModel: string | null; validTo: Date | null }): MaterialGroup {
  if (key.keyState === "PendingImport" && !key.validTo) return "none";
  if (key.expirationModel === "KEY_MATERIAL_DOES_NOT_EXPIRE") return "never";
  return key.validTo ? "dated" : "none";
}

/**
 * The order of the "Key material" column. Ascending puts what needs attention first: dated material by
 * ValidTo (expired, then expiring soonest), then material that never expires (as if its ValidTo were
 * infinitely far), then keys without material. Descending reverses the dates (never-expiring first, then the
 * latest ValidTo), and keys without material stay last: like an empty cell in any other column, there is
 * nothing to order them by. Ties go by key id. lib/inventory/queries.ts orders the same way in SQL.
 */
export function compareMaterial(
  a: { keyId: string; keyState: string | null; expirationModel: string | null; validTo: Date | null },
  b: { keyId: string; keyState: string | null; expirationModel: string | null; validTo: Date | null },
  direction: "asc" | "desc",
): number {
  const rank = MATERIAL_RANK[direction];
  const [ga, gb] = [materialGroup(a), materialGroup(b)];
  if (ga !== gb) return rank[ga] - rank[gb];
  if (ga === "dated") {
    const diff = a.validTo!.getTime() - b.validTo!.getTime();
    if (diff !== 0) return direction === "asc" ? diff : -diff;
  }
  return a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0;
}

/** Group order per direction (lower first). */
export const MATERIAL_RANK: Record<"asc" | "desc", Record<MaterialGroup, number>> = {
  asc: { dated: 0, never: 1, none: 2 },
  desc: { never: 0, dated: 1, none: 2 },
};
