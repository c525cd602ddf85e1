import type { KeysQuery } from "./schemas";

/**
 * The URL search string for a key-list query, dropping defaults so links stay short. Apart from the schema that
 * reads it (./schemas) because the filters run in the browser, and the schema's library need not go there.
 */
export function keysQueryString(query: Partial<KeysQuery>): string {
  const params = new URLSearchParams();
  if (query.target) params.set("target", query.target);
  if (query.region) params.set("region", query.region);
  if (query.state) params.set("state", query.state);
  if (query.spec) params.set("spec", query.spec);
  if (query.q) params.set("q", query.q);
  if (query.expiring) params.set("expiring", query.expiring);
  if (query.sort && query.sort !== "alias") params.set("sort", query.sort);
  if (query.dir && query.dir !== "asc") params.set("dir", query.dir);
  if (query.page && query.page > 1) params.set("page", String(query.page));
  const s = params.toString();
  return s ? `?${s}` : "";
}
