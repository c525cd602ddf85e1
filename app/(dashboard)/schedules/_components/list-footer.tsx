import Link from "next/link";
import { formatCount } from "@/components/ui/format";
import { Pagination } from "@/components/ui/pagination";
import { SCHEDULE_PAGE_ROWS, schedulesHref, type ScheduleList, type ScheduleQuery } from "@/lib/schedules/lists";

/**
 * Under a list: alone (`list=`), its count and page links; on the overview, the way to the whole list when
 * the first rows are not all of it. Either way the page says how many there are.
 */
export function ListFooter({
  list,
  query,
  total,
  shown,
  noun,
  label,
}: {
  list: ScheduleList;
  query: ScheduleQuery;
  total: number;
  shown: number;
  noun: string;
  label: string;
}) {
  if (query.list === list) {
    return (
      <div className="mt-3">
        <Pagination
          page={query.page ?? 1}
          total={total}
          pageSize={SCHEDULE_PAGE_ROWS}
          hrefFor={(page) => schedulesHref({ ...query, page })}
          label={`Pages of ${label}`}
          noun={noun}
        />
      </div>
    );
  }
  if (total <= shown) return null;
  return (
    <p className="mt-2 text-sm">
      <span className="text-ink-600">The first {shown.toLocaleString("en")} of {formatCount(total, noun)}. </span>
      <Link href={schedulesHref({ list, target: query.target })} className="font-medium text-accent-700 hover:underline">
        Show all {total.toLocaleString("en")} →
      </Link>
    </p>
  );
}

/** A list with nothing in it: what that means. */
export function EmptyNote({ children }: { children: string }) {
  return <p className="rounded-card border border-dashed border-ink-300 bg-white px-4 py-4 text-sm text-ink-600">{children}</p>;
}
