import Link from "next/link";
import { AGE_BUCKET_LABELS, AGE_BUCKETS } from "@/lib/inventory/key-age";
import type { KeyAgeQuery } from "@/lib/inventory/schemas";

/**
 * The report's filters as a plain GET form: the state lives in the URL (shareable, back-button safe) and the
 * form works without JavaScript. Applying starts again at page 1, since the form sends no page.
 */
export function AgeFilters({ query, targets, regions }: { query: KeyAgeQuery; targets: Array<{ id: string; name: string }>; regions: string[] }) {
  const select = "mt-1 block w-full rounded-md border border-ink-300 bg-white px-3 py-2 text-sm";
  return (
    <form method="get" role="search" aria-label="Filter the key-age report" className="grid gap-3 rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200 sm:grid-cols-2 lg:grid-cols-5">
      <label className="text-sm font-medium text-ink-800">
        Account
        <select name="target" defaultValue={query.target ?? ""} className={select}>
          <option value="">All accounts</option>
          {targets.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium text-ink-800">
        Region
        <select name="region" defaultValue={query.region ?? ""} className={select}>
          <option value="">All Regions</option>
          {regions.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium text-ink-800">
        Material age
        <select name="age" defaultValue={query.age ?? ""} className={select}>
          <option value="">Any age</option>
          {AGE_BUCKETS.map((bucket) => (
            <option key={bucket} value={bucket}>
              {AGE_BUCKET_LABELS[bucket]}
            </option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium text-ink-800">
        Search
        <input type="search" name="q" defaultValue={query.q ?? ""} placeholder="Alias, key id, description" maxLength={200} className={select} />
      </label>
      <div className="flex items-end gap-2">
        <button type="submit" className="h-9 rounded-md bg-accent-600 px-4 text-sm font-medium text-white hover:bg-accent-700">
          Apply
        </button>
        <Link href="/reports/key-age" className="inline-flex h-9 items-center rounded-md bg-white px-4 text-sm font-medium text-ink-800 ring-1 ring-inset ring-ink-300 hover:bg-ink-50">
          Clear
        </Link>
      </div>
    </form>
  );
}
