/** Columns the key list can be sorted by (pure: shared by the URL schema and the query layer). */
export const SORTABLE = ["alias", "keyId", "target", "region", "keySpec", "state", "validTo", "created"] as const;
export type SortKey = (typeof SORTABLE)[number];
