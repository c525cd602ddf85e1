"use client";

import { ScheduleForm } from "@/components/schedules/schedule-form";
import { setTargetSchedule } from "../actions";

/** An account's schedule: every key in it without a schedule of its own follows it. */
export function TargetScheduleForm({ target, name, initial }: { target: string; name: string; initial: { reimportDaysBefore: number | null; rotateEveryDays: number | null } }) {
  return <ScheduleForm label={`Schedule of ${name}`} initial={initial} rotation save={(parts) => setTargetSchedule({ target, ...parts })} />;
}
