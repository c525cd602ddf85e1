"use client";

import Link from "next/link";
import { FilterForm, FilterSearch, FilterSelect, useUrlFilters, type FilterOption } from "@/components/ui/url-filters";
import { pendingHref, type PendingQuery } from "@/lib/imports/pending-filters";

/**
 * Filters for the pending view's lists, kept in the URL like the key list's (shareable, back-button safe);
 * the form also works without JavaScript as a plain GET. Selects apply at once, the search box after a pause.
 * Changing a filter goes back to the first page.
 */
export function PendingFilters({
  query,
  targets,
  regions,
  buckets,
}: {
  query: PendingQuery;
  targets: FilterOption[];
  regions: string[];
  buckets: FilterOption[];
}) {
  const filters = useUrlFilters(query, (change) => pendingHref({ ...query, ...change, page: 1 }));
  const select = (name: "target" | "region" | "expiry", label: string, options: FilterOption[]) => (
    <FilterSelect
      id={`pending-${name}`}
      name={name}
      label={label}
      options={options}
      value={filters.shown[name]}
      onChange={(value) => filters.apply({ [name]: value })}
    />
  );

  const filtered = !!(query.target || query.region || query.q || query.expiry);
  return (
    <FilterForm
      label="Filter pending lists"
      action="/imports"
      filters={filters}
      after={
        filtered && (
          <Link href={pendingHref({ list: query.list })} className="flex h-9 items-center text-sm font-medium text-accent-700 hover:underline">
            Clear filters
          </Link>
        )
      }
    >
      {query.list && <input type="hidden" name="list" value={query.list} />}
      <FilterSearch id="pending-q" placeholder="Alias, key id or ARN" filters={filters} />
      {select("target", "Account", targets)}
      {select("region", "Region", regions.map((r) => ({ value: r, label: r })))}
      {select("expiry", "Material expires", buckets)}
    </FilterForm>
  );
}
