"use client";

import { useRouter } from "next/navigation";
import { useEffect, useOptimistic, useRef, useState, useTransition, type FormEvent, type ReactNode } from "react";

export type FilterOption = { value: string; label: string };

/** How long typing pauses before the search box applies: a URL change per keystroke would refetch the page each time. */
const SEARCH_PAUSE_MS = 350;

export type UrlFilters<Q extends { q?: string }> = ReturnType<typeof useUrlFilters<Q>>;

/**
 * The state of a list's filter form, kept in the URL (shareable, back-button safe). `apply` replaces the URL with
 * `hrefFor(change)`, which keeps the rest of the query and goes back to the first page; the controls show the
 * choice at once (`shown`) and the page follows when the navigation lands. The search box (`q`) applies after a
 * pause in typing, or at once when the form is submitted.
 */
export function useUrlFilters<Q extends { q?: string }>(query: Q, hrefFor: (change: Partial<Q>) => string) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [shown, show] = useOptimistic(query, (current: Q, change: Partial<Q>) => ({ ...current, ...change }));
  const [text, setText] = useState(query.q ?? "");
  const debounce = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(debounce.current), []);

  const apply = (change: Partial<Q>) =>
    startTransition(() => {
      show(change);
      router.replace(hrefFor(change), { scroll: false });
    });
  const search = (value: string) => apply({ q: value.trim() || undefined } as Partial<Q>);

  return {
    pending,
    shown,
    apply,
    text,
    onText(value: string) {
      setText(value);
      clearTimeout(debounce.current);
      debounce.current = setTimeout(() => search(value), SEARCH_PAUSE_MS);
    },
    onSubmit(event: FormEvent<HTMLFormElement>) {
      event.preventDefault();
      clearTimeout(debounce.current);
      search(text);
    },
  };
}

/**
 * The filter form: a search landmark that also works without JavaScript as a plain GET to `action`, with the
 * Apply button after the controls and `after` (a clear link, say) beside it.
 */
export function FilterForm<Q extends { q?: string }>({
  label,
  action,
  filters,
  after,
  children,
}: {
  label: string;
  action: string;
  filters: UrlFilters<Q>;
  after?: ReactNode;
  children: ReactNode;
}) {
  return (
    <form
      role="search"
      aria-label={label}
      method="get"
      action={action}
      onSubmit={filters.onSubmit}
      aria-busy={filters.pending}
      className="flex flex-wrap items-end gap-3 rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200"
    >
      {children}
      <button type="submit" className="h-9 rounded-md bg-ink-800 px-4 text-sm font-medium text-white hover:bg-ink-900">
        Apply
      </button>
      {after}
    </form>
  );
}

/** The search box (`q`), labelled "Search". */
export function FilterSearch<Q extends { q?: string }>({ id, placeholder, filters }: { id: string; placeholder: string; filters: UrlFilters<Q> }) {
  return (
    <div className="flex min-w-56 flex-1 flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-ink-600">
        Search
      </label>
      <input
        id={id}
        name="q"
        type="search"
        value={filters.text}
        placeholder={placeholder}
        onChange={(e) => filters.onText(e.target.value)}
        className="h-9 rounded-md border border-ink-300 bg-white px-3 text-sm text-ink-900 shadow-sm placeholder:text-ink-400"
      />
    </div>
  );
}

/** A labelled menu of one filter, "All" first (no value, so the parameter drops out of the URL); applies at once. */
export function FilterSelect({
  id,
  name,
  label,
  options,
  value,
  onChange,
}: {
  id: string;
  name: string;
  label: string;
  options: readonly FilterOption[];
  value: string | undefined;
  onChange: (value: string | undefined) => void;
}) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-ink-600">
        {label}
      </label>
      <select
        id={id}
        name={name}
        value={value ?? ""}
        onChange={(e) => onChange(e.target.value || undefined)}
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
}
