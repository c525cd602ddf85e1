import Link from "next/link";
import type { ReactNode } from "react";
import { PENDING_EXPORT_FORMATS, pendingExportHref } from "@/lib/imports/pending-export";
import type { PendingFilter, PendingList } from "@/lib/imports/pending-filters";

/** A titled list of the pending view, with its count, what it means, and (for exporters) its export links. */
export function Section({
  id,
  title,
  count,
  hint,
  exportList,
  children,
}: {
  id: string;
  title: string;
  count: number;
  hint: string;
  /** The list and filters whose export the section links, when the viewer may export. */
  exportList?: { list: PendingList; filter: PendingFilter };
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={`${id}-heading`} id={id}>
      <div className="mb-3 flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 id={`${id}-heading`} className="flex items-center gap-2 text-base font-semibold text-ink-900">
            {title}
            <span className="rounded-full bg-ink-100 px-2 py-0.5 text-xs font-medium text-ink-700">{count.toLocaleString("en")}</span>
          </h2>
          <p className="text-sm text-ink-600">{hint}</p>
        </div>
        {exportList && <ExportLinks title={title} {...exportList} />}
      </div>
      {children}
    </section>
  );
}

const FORMAT_LABELS = { csv: "CSV", json: "JSON" } as const;

/**
 * The section's list as a file, with the filters in view (the route checks the permission again and records
 * the export). Plain links: the browser saves the file under the name the route gives it.
 */
function ExportLinks({ title, list, filter }: { title: string; list: PendingList; filter: PendingFilter }) {
  return (
    <p className="flex items-center gap-2 text-xs text-ink-600">
      Export
      {PENDING_EXPORT_FORMATS.map((format) => (
        <a
          key={format}
          href={pendingExportHref(list, format, filter)}
          download
          aria-label={`${title} as ${FORMAT_LABELS[format]}`}
          className="rounded-md bg-white px-2 py-1 font-medium text-ink-800 ring-1 ring-ink-300 hover:bg-ink-50"
        >
          {FORMAT_LABELS[format]}
        </a>
      ))}
    </p>
  );
}

export function Quiet({ children }: { children: ReactNode }) {
  return <div className="rounded-card border border-dashed border-ink-300 bg-white px-4 py-5 text-sm text-ink-600">{children}</div>;
}

/** A list that is empty: what that means, or, under filters, that nothing matched and how to see everything. */
export function EmptyList({ filtered, clearHref, children }: { filtered: boolean; clearHref: string; children: ReactNode }) {
  return (
    <Quiet>
      {filtered ? (
        <p>
          Nothing in this list matches these filters.{" "}
          <Link href={clearHref} className="font-medium text-accent-700 underline">
            Clear filters
          </Link>
        </p>
      ) : (
        <p>{children}</p>
      )}
    </Quiet>
  );
}

/** Under an overview's first rows: the way to the whole list. */
export function ShowAll({ href, total, shown, noun }: { href: string; total: number; shown: number; noun: string }) {
  if (total <= shown) return null;
  return (
    <p className="mt-2 text-sm">
      <Link href={href} className="font-medium text-accent-700 hover:underline">
        Show all {total.toLocaleString("en")} {noun} →
      </Link>
    </p>
  );
}
