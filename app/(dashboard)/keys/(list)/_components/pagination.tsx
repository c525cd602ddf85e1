import { Pagination as PageLinks } from "@/components/ui/pagination";
import { keysQueryString, type KeysQuery } from "@/lib/inventory/schemas";

export { pageCount } from "@/components/ui/pagination";

/** The key list's page links, keeping its filters and sort. */
export function Pagination({ query, total, pageSize }: { query: KeysQuery; total: number; pageSize: number }) {
  return (
    <PageLinks page={query.page} total={total} pageSize={pageSize} hrefFor={(page) => `/keys${keysQueryString({ ...query, page })}`} label="Pages of keys" noun="key" />
  );
}
