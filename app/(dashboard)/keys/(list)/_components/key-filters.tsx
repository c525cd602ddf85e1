"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useOptimistic, useRef, useState, useTransition, type FormEvent } from "react";
import { formatCount } from "@/components/ui/format";
import { keysQueryString } from "@/lib/inventory/query-string";
import type { KeysQuery } from "@/lib/inventory/schemas";

type Option = { value: string; label: string };

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
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  // The controls show the choice at once; the URL (and so the page) follows when the navigation lands.
  const [shown, show] = useOptimistic(query, (current: KeysQuery, change: Partial<KeysQuery>) => ({ ...current, ...change }));
  const [text, setText] = useState(query.q ?? "");
  const debounce = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const apply = (change: Partial<KeysQuery>) => {
    startTransition(() => {
      show(change);
      router.replace(`${pathname}${keysQueryString({ ...query, ...change, page: 1 })}`, { scroll: false });
    });
  };

  useEffect(() => () => clearTimeout(debounce.current), []);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    clearTimeout(debounce.current);
    apply({ q: text.trim() || undefined });
  };

  const select = (name: keyof KeysQuery, label: string, options: Option[], value: string | undefined) => (
    <div className="flex flex-col gap-1">
      <label htmlFor={`filter-${name}`} className="text-xs font-medium text-ink-600">
        {label}
      </label>
      <select
        id={`filter-${name}`}
        name={name}
        value={value ?? ""}
        onChange={(e) => apply({ [name]: e.target.value || undefined })}
        className="h-9 min-w-36 rounded-md border border-ink-300 bg-white px-2 text-sm text-ink-900 shadow-sm"
      >
        <option value="">All</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <form
      role="search"
      aria-label="Filter keys"
      method="get"
      action="/keys"
      onSubmit={onSubmit}
      className="flex flex-wrap items-end gap-3 rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200"
      aria-busy={pending}
    >
      <div className="flex min-w-56 flex-1 flex-col gap-1">
        <label htmlFor="filter-q" className="text-xs font-medium text-ink-600">
          Search
        </label>
        <input
          id="filter-q"
          name="q"
          type="search"
          value={text}
          placeholder="Alias, key id, ARN or description"
          onChange={(e) => {
            const value = e.target.value;
            setText(value);
            clearTimeout(debounce.current);
            debounce.current = setTimeout(() => apply({ q: value.trim() || undefined }), 350);
          }}
          className="h-9 rounded-md border border-ink-300 bg-white px-3 text-sm text-ink-900 shadow-sm placeholder:text-ink-400"
        />
      </div>
      {select(
        "target",
        "Account",
        targets.map((t) => ({ value: t.id, label: `${t.name} (${t.accountId})` })),
        shown.target,
      )}
      {select("region", "Region", regions.map((r) => ({ value: r, label: r })), shown.region)}
      {select("state", "State", states.map((s) => ({ value: s, label: s.replace(/([a-z])([A-Z])/g, "$1 $2") })), shown.state)}
      {select("spec", "Key spec", keySpecs.map((s) => ({ value: s, label: s })), shown.spec)}
      <div className="flex h-9 items-center gap-2">
        <input
          id="filter-expiring"
          name="expiring"
          type="checkbox"
          value="1"
          checked={shown.expiring === "1"}
          onChange={(e) => apply({ expiring: e.target.checked ? "1" : undefined })}
          className="size-4 rounded border-ink-300 accent-accent-600"
        />
        <label htmlFor="filter-expiring" className="text-sm text-ink-700">
          Expiring within {formatCount(warningDays, "day")}
        </label>
      </div>
      {query.sort !== "alias" && <input type="hidden" name="sort" value={query.sort} />}
      {query.dir !== "asc" && <input type="hidden" name="dir" value={query.dir} />}
      <button type="submit" className="h-9 rounded-md bg-ink-800 px-4 text-sm font-medium text-white hover:bg-ink-900">
        Apply
      </button>
    </form>
  );
}
