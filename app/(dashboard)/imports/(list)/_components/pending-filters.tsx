"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition, type FormEvent } from "react";
import { pendingHref, type PendingFilter, type PendingQuery } from "@/lib/imports/pending-filters";

type Option = { value: string; label: string };

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
  targets: Option[];
  regions: string[];
  buckets: Option[];
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [text, setText] = useState(query.q ?? "");
  const debounce = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(debounce.current), []);

  const apply = (change: Partial<PendingFilter>) =>
    startTransition(() => router.replace(pendingHref({ ...query, ...change, page: 1 }), { scroll: false }));

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    clearTimeout(debounce.current);
    apply({ q: text.trim() || undefined });
  };

  const select = (name: "target" | "region" | "expiry", label: string, options: Option[]) => (
    <div className="flex flex-col gap-1">
      <label htmlFor={`pending-${name}`} className="text-xs font-medium text-ink-600">
        {label}
      </label>
      <select
        id={`pending-${name}`}
        name={name}
        defaultValue={query[name] ?? ""}
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

  const filtered = !!(query.target || query.region || query.q || query.expiry);
  return (
    <form
      role="search"
      aria-label="Filter pending lists"
      method="get"
      action="/imports"
      onSubmit={onSubmit}
      aria-busy={pending}
      className="flex flex-wrap items-end gap-3 rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200"
    >
      {query.list && <input type="hidden" name="list" value={query.list} />}
      <div className="flex min-w-56 flex-1 flex-col gap-1">
        <label htmlFor="pending-q" className="text-xs font-medium text-ink-600">
          Search
        </label>
        <input
          id="pending-q"
          name="q"
          type="search"
          value={text}
          placeholder="Alias, key id or ARN"
          onChange={(e) => {
            const value = e.target.value;
            setText(value);
            clearTimeout(debounce.current);
            debounce.current = setTimeout(() => apply({ q: value.trim() || undefined }), 350);
          }}
          className="h-9 rounded-md border border-ink-300 bg-white px-3 text-sm text-ink-900 shadow-sm placeholder:text-ink-400"
        />
      </div>
      {select("target", "Account", targets)}
      {select("region", "Region", regions.map((r) => ({ value: r, label: r })))}
      {select("expiry", "Material expires", buckets)}
      <button type="submit" className="h-9 rounded-md bg-ink-800 px-4 text-sm font-medium text-white hover:bg-ink-900">
        Apply
      </button>
      {filtered && (
        <Link href={pendingHref({ list: query.list })} className="flex h-9 items-center text-sm font-medium text-accent-700 hover:underline">
          Clear filters
        </Link>
      )}
    </form>
  );
}
