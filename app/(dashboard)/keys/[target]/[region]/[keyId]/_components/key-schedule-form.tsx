"use client";

import { ScheduleForm } from "@/components/schedules/schedule-form";
import { setKeySchedule } from "../actions";

/** The key's own schedule form: saving it replaces its account's schedule for this key. */
export function KeyScheduleForm(props: {
  target: string;
  region: string;
  keyId: string;
  initial: { reimportDaysBefore: number | null; rotateEveryDays: number | null };
  rotation: boolean;
}) {
  const { target, region, keyId, initial, rotation } = props;
  return (
    <ScheduleForm
      label="This key's schedule"
      initial={initial}
      rotation={rotation}
      save={(parts) => setKeySchedule({ target, region, keyId, ...parts })}
    />
  );
}
