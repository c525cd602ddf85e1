import "server-only";
import { redirect } from "next/navigation";
import { pageCount } from "@/components/ui/pagination";
import { dueCounts, keysAhead, reimportsDue, rotationCounts, timelineCells, type ReimportDue, type ScheduleDeps, type TimelineCell } from "@/lib/schedules";
import { DUE_LISTS, SCHEDULE_PAGE_ROWS, SCHEDULE_PREVIEW_ROWS, schedulesHref, type DueList, type RotationState, type ScheduleList } from "@/lib/schedules/lists";
import type { SchedulesQuery } from "@/lib/schedules/schemas";
import { DAY_MS } from "@/lib/schedules/policy";
import type { KeyRow } from "@/lib/inventory";
import type { RotationEntry } from "./rotation-table";
import { scheduledRotations } from "./scheduled-rotations";

export const TIMELINE_DAYS = 90;

export type SchedulesData = {
  due: Record<DueList, number>;
  rotations: Record<RotationState, number>;
  cells: TimelineCell[];
  aheadTotal: number;
  /** The rows of each list shown: its first rows on the overview, one page of the list alone. */
  dueRows: Partial<Record<DueList, ReimportDue[]>>;
  rotationRows?: RotationEntry[];
  aheadRows?: KeyRow[];
};

/**
 * What /schedules shows for `query`: the counts first (GROUP BY in SQL), whose totals each list then takes
 * as its own, so every list reads one page of rows and counts nothing again. A page past the end of a list
 * (a bookmark from when more was due) opens its last page.
 */
export async function loadSchedules(deps: ScheduleDeps, query: SchedulesQuery, warningDays: number): Promise<SchedulesData> {
  const now = deps.now();
  const scope = { target: query.target };
  const [due, rotations, cells] = await Promise.all([
    dueCounts(deps.db, now, scope),
    rotationCounts(deps.db, now, scope),
    timelineCells(deps.db, now, { days: TIMELINE_DAYS, warningDays, ...scope }),
  ]);
  const aheadTotal = cells.reduce((n, c) => n + c.keys, 0);
  const totalOf = (list: ScheduleList): number => {
    if (list === "rotations") return query.list === "rotations" && query.status ? rotations[query.status] : Object.values(rotations).reduce((n, v) => n + v, 0);
    if (list === "validto") return aheadTotal;
    return due[list];
  };
  if (query.list && query.page > pageCount(totalOf(query.list), SCHEDULE_PAGE_ROWS)) {
    redirect(schedulesHref({ ...query, page: pageCount(totalOf(query.list), SCHEDULE_PAGE_ROWS) }));
  }
  const shown = (list: ScheduleList) => !query.list || query.list === list;
  const paging = query.list
    ? { limit: SCHEDULE_PAGE_ROWS, offset: (query.page - 1) * SCHEDULE_PAGE_ROWS }
    : { limit: SCHEDULE_PREVIEW_ROWS, offset: 0 };
  const pagingOf = (list: ScheduleList) => (totalOf(list) === 0 ? null : paging);

  const [dueRows, rotationRows, aheadRows] = await Promise.all([
    Promise.all(
      DUE_LISTS.filter(shown).map(async (list) => {
        const p = pagingOf(list);
        return [list, p ? await reimportsDue(deps.db, list, now, scope, p) : []] as const;
      }),
    ),
    shown("rotations")
      ? pagingOf("rotations")
        ? scheduledRotations(deps, { ...scope, state: query.list === "rotations" ? query.status : undefined }, paging)
        : Promise.resolve([])
      : Promise.resolve(undefined),
    shown("validto")
      ? pagingOf("validto")
        ? keysAhead(deps.db, now, new Date(now.getTime() + TIMELINE_DAYS * DAY_MS), scope, paging)
        : Promise.resolve([])
      : Promise.resolve(undefined),
  ]);
  return { due, rotations, cells, aheadTotal, dueRows: Object.fromEntries(dueRows), rotationRows, aheadRows };
}
