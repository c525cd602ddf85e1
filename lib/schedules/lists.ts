/**
 * The schedules page's lists as they live in the URL. Pure (no server-only): the page and its links share it.
 *
 * The page shows an overview (counts, then the first rows of every list) or one list alone (`list=`), paged
 * with `page=`, as /imports does: every read is one page of one list, so the page costs the same at 20 keys
 * or 20,000. `target=` narrows every count and list to one account.
 */

export const DUE_LISTS = ["overdue", "this_week", "next_week"] as const;
export type DueList = (typeof DUE_LISTS)[number];

export const SCHEDULE_LISTS = [...DUE_LISTS, "rotations", "validto"] as const;
export type ScheduleList = (typeof SCHEDULE_LISTS)[number];

/**
 * Where a scheduled rotation stands, as counted in SQL: the states of `RotationStatus` (./policy.ts), and
 * `unread` for a key whose current material the inventory refresh has not summarised yet.
 */
export const ROTATION_STATES = ["due", "scheduled", "limit_reached", "blocked", "unread"] as const;
export type RotationState = (typeof ROTATION_STATES)[number];

export const ROTATION_STATE_LABELS: Record<RotationState, string> = {
  due: "Due now",
  scheduled: "Scheduled",
  limit_reached: "Stopped at the limit",
  blocked: "Blocked",
  unread: "Not read yet",
};

/** Rows of each list on the overview; a list alone shows SCHEDULE_PAGE_ROWS a page. */
export const SCHEDULE_PREVIEW_ROWS = 10;
export const SCHEDULE_PAGE_ROWS = 50;

export type ScheduleQuery = { list?: ScheduleList; status?: RotationState; target?: string; page?: number };

/** `/schedules?…` for a page state, defaults dropped so links stay short. */
export function schedulesHref(query: ScheduleQuery, hash?: string): string {
  const params = new URLSearchParams();
  if (query.list) params.set("list", query.list);
  if (query.status && query.list === "rotations") params.set("status", query.status);
  if (query.target) params.set("target", query.target);
  if (query.page && query.page > 1) params.set("page", String(query.page));
  const s = params.toString();
  return `/schedules${s ? `?${s}` : ""}${hash ? `#${hash}` : ""}`;
}
