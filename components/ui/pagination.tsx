import Link from "next/link";
import { formatCount } from "@/components/ui/format";

/** How many pages of `pageSize` rows `total` rows fill (at least one). Pages clamp to it. */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * The count of rows and, when they fill more than one page, the page links. The page itself sends a page past
 * the end to the last one, so `page` is in range here. `hrefFor` keeps the page's other URL state.
 */
export function Pagination({
  page: requested,
  total,
  pageSize,
  hrefFor,
  label,
  noun,
}: {
  page: number;
  total: number;
  pageSize: number;
  hrefFor: (page: number) => string;
  /** The navigation's accessible name, e.g. "Pages of keys". */
  label: string;
  noun: string;
}) {
  const pages = pageCount(total, pageSize);
  if (pages === 1) {
    return (
      <nav aria-label={label} className="text-sm text-ink-600">
        <p>{formatCount(total, noun)}</p>
      </nav>
    );
  }
  const page = Math.min(requested, pages);
  const from = (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  const link = (p: number, text: string, rel: "prev" | "next") =>
    p < 1 || p > pages ? (
      <span aria-disabled className="rounded-md px-3 py-1.5 text-sm text-ink-400 ring-1 ring-ink-200">
        {text}
      </span>
    ) : (
      <Link rel={rel} href={hrefFor(p)} className="rounded-md bg-white px-3 py-1.5 text-sm font-medium text-ink-800 ring-1 ring-ink-300 hover:bg-ink-50">
        {text}
      </Link>
    );
  return (
    <nav aria-label={label} className="flex flex-wrap items-center justify-between gap-2 text-sm text-ink-600">
      <p>
        <span className="font-medium text-ink-900">{from.toLocaleString("en")}</span>–<span className="font-medium text-ink-900">{to.toLocaleString("en")}</span> of{" "}
        <span className="font-medium text-ink-900">{formatCount(total, noun)}</span>
      </p>
      <div className="flex items-center gap-2">
        {link(page - 1, "Previous", "prev")}
        <span>
          Page {page} of {pages}
        </span>
        {link(page + 1, "Next", "next")}
      </div>
    </nav>
  );
}
