import { PENDING_EXPORT_FORMATS, PENDING_LIST_TITLES, type PendingExportList } from "@/lib/imports/pending-export";

const LISTS: PendingExportList[] = ["open-requests", "keys-waiting", "expiring"];
const FORMAT_LABELS = { csv: "CSV", json: "JSON" } as const;

/**
 * Links to download each list of the pending view as CSV or JSON, for those allowed to export it (the route
 * checks again). Plain links: the browser saves the file under the name the route gives it.
 */
export function ExportPanel() {
  return (
    <section aria-labelledby="export-heading" className="rounded-card bg-white px-4 py-3 shadow-card ring-1 ring-ink-200">
      <h2 id="export-heading" className="text-sm font-semibold text-ink-900">
        Export as evidence
      </h2>
      <p className="text-xs text-ink-600">Each list as it stands now, with times in UTC (ISO 8601). Every export is recorded in the audit trail.</p>
      <ul className="mt-2 flex flex-wrap gap-x-6 gap-y-2">
        {LISTS.map((list) => (
          <li key={list} className="flex items-center gap-2 text-sm">
            <span className="text-ink-800">{PENDING_LIST_TITLES[list]}</span>
            {PENDING_EXPORT_FORMATS.map((format) => (
              <a
                key={format}
                href={`/api/imports/pending/export?list=${list}&format=${format}`}
                download
                aria-label={`${PENDING_LIST_TITLES[list]} as ${FORMAT_LABELS[format]}`}
                className="rounded-md bg-white px-2 py-1 text-xs font-medium text-ink-800 ring-1 ring-ink-300 hover:bg-ink-50"
              >
                {FORMAT_LABELS[format]}
              </a>
            ))}
          </li>
        ))}
      </ul>
    </section>
  );
}
