import { kms } from "../errors";

/**
 * Opaque pagination markers. A marker names the list it belongs to (operation, account, Region, key) and
 * the last item returned, so it stays valid when items are added or removed between pages, and a marker
 * from another list is refused with InvalidMarkerException.
 */

export function encodeMarker(list: string, lastItem: string): string {
  return Buffer.from(`${list}\n${lastItem}`, "utf8").toString("base64");
}

export function decodeMarker(marker: string | undefined, list: string): string | undefined {
  if (marker === undefined) return undefined;
  const text = Buffer.from(marker, "base64").toString("utf8");
  const separator = text.indexOf("\n");
  if (separator < 0 || text.slice(0, separator) !== list) throw kms.invalidMarker();
  return text.slice(separator + 1);
}

export interface Page<T> {
  items: T[];
  nextMarker?: string;
  truncated: boolean;
}

/** One page of `ordered` (already positioned after the marker), with the marker of the next page. */
export function pageOf<T>(ordered: T[], limit: number, list: string, idOf: (item: T) => string): Page<T> {
  const items = ordered.slice(0, limit);
  const truncated = ordered.length > limit;
  const last = items[items.length - 1];
  return { items, truncated, nextMarker: truncated && last !== undefined ? encodeMarker(list, idOf(last)) : undefined };
}
