"use client";

import { usePathname } from "next/navigation";
import { formatCount } from "@/components/ui/format";
import { FilterForm, FilterSearch, FilterSelect, useUrlFilters, type FilterOption } from "@/components/ui/url-filters";
import { keysQueryString } from "@/lib/inventory/query-string";
import type { KeysQuery } from "@/lib/inventory/schemas";

/**
 * Filters for the key list. The state lives in the URL (shareable, back-button safe); the form also works
 * without JavaScript as a plain GET. Selects apply at once; the search box after a short pause.
 */
export function KeyFilters({
  query,
  targets,
  regions,
  states,
  keySpecs,
  warningDays,
}: {
  query: KeysQuery;
  targets: Array<{ id: string; name: string; accountId: string }>;
  regions: string[];
  states: string[];
  keySpecs: string[];
  warningDays: number;
}) {
  const pathname = usePathname();
  const filters = useUrlFilters(query, (change) => `${pathname}${keysQueryString({ ...query, ...change, page: 1 })}`);
  const { shown } = filters;
  const select = (name: "target" | "region" | "state" | "spec", label: string, options: FilterOption[]) => (
    <FilterSelect id={`filter-${name}`} name={name} label={label} options={options} value={shown[name]} onChange={(value) => filters.apply({ [name]: value })} />
  );

  return (
    <FilterForm label="Filter keys" action="/keys" filters={filters}>
      <FilterSearch id="filter-q" placeholder="Alias, key id, ARN or description" filters={filters} />
      {select("target", "Account", targets.map((t) => ({ value: t.id, label: `${t.name} (${t.accountId})` })))}
      {select("region", "Region", regions.map((r) => ({ value: r, label: r })))}
      {select("state", "State", states.map((s) => ({ value: s, label: s.replace(/([a-z])([A-Z])/g, "$1 $2") })))}
      {select("spec", "Key spec", keySpecs.map((s) => ({ value: s, label: s })))}
      <div className="flex h-9 items-center gap-2">
        <input
          id="filter-expiring"
          name="expiring"
          type="checkbox"
          value="1"
          checked={shown.expiring === "1"}
          onChange={(e) => filters.apply({ expiring: e.target.checked ? "1" : undefined })}
          className="size-4 rounded border-ink-300 accent-accent-600"
        />
        <label htmlFor="filter-expiring" className="text-sm text-ink-700">
          Expiring within {formatCount(warningDays, "day")}
        </label>
      </div>
      {query.sort !== "alias" && <input type="hidden" name="sort" value={query.sort} />}
      {query.dir !== "asc" && <input type="hidden" name="dir" value={query.dir} />}
    </FilterForm>
  );
}
