"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import type { ActionResult } from "@/lib/auth/action-result";
import { REIMPORT_DAYS, ROTATE_DAYS } from "@/lib/schedules/limits";

export type ScheduleParts = { reimportDaysBefore: string; rotateEveryDays: string };

/**
 * A schedule's two optional parts, for a key or an account. Empty parts mean "none"; both empty clears the
 * schedule. `save` calls the server action for the scope (which checks the permission and the bounds again).
 */
export function ScheduleForm({
  label,
  initial,
  rotation,
  save,
}: {
  label: string;
  initial: { reimportDaysBefore: number | null; rotateEveryDays: number | null };
  /** Whether "new material every" applies (symmetric keys, or an account). */
  rotation: boolean;
  save: (parts: Partial<ScheduleParts>) => Promise<ActionResult<{ changed: boolean }>>;
}) {
  const router = useRouter();
  const id = useId();
  const [parts, setParts] = useState<ScheduleParts>({
    reimportDaysBefore: initial.reimportDaysBefore?.toString() ?? "",
    rotateEveryDays: initial.rotateEveryDays?.toString() ?? "",
  });
  const [errors, setErrors] = useState<Partial<Record<keyof ScheduleParts | "form", string>>>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setErrors({});
    setSaved(null);
    startTransition(async () => {
      const result = await save(rotation ? parts : { reimportDaysBefore: parts.reimportDaysBefore });
      if (!result.ok) {
        setErrors({
          reimportDaysBefore: result.fieldErrors?.reimportDaysBefore?.[0],
          rotateEveryDays: result.fieldErrors?.rotateEveryDays?.[0],
          form: result.fieldErrors ? undefined : result.message,
        });
        return;
      }
      setSaved(result.data.changed ? "Schedule saved." : "Nothing to change.");
      router.refresh();
    });
  };

  const field = (name: keyof ScheduleParts, title: string, hint: string, bounds: { min: number; max: number }) => (
    <div>
      <label htmlFor={`${id}-${name}`} className="block text-sm font-medium text-ink-900">
        {title}
      </label>
      <div className="mt-1 flex items-center gap-2">
        <input
          id={`${id}-${name}`}
          name={name}
          type="number"
          inputMode="numeric"
          min={bounds.min}
          max={bounds.max}
          value={parts[name]}
          onChange={(e) => setParts((p) => ({ ...p, [name]: e.target.value }))}
          aria-invalid={errors[name] ? true : undefined}
          aria-describedby={`${id}-${name}-hint${errors[name] ? ` ${id}-${name}-error` : ""}`}
          className="h-9 w-24 rounded-md border border-ink-300 bg-white px-2 text-sm"
        />
        <span className="text-sm text-ink-600">days</span>
      </div>
      <p id={`${id}-${name}-hint`} className="mt-1 text-xs text-ink-500">
        {hint} ({bounds.min}–{bounds.max}; empty for none)
      </p>
      {errors[name] && (
        <p id={`${id}-${name}-error`} className="mt-1 text-xs text-alert-danger-fg">
          {errors[name]}
        </p>
      )}
    </div>
  );

  return (
    // noValidate: the server's messages say what the bounds are; the browser's own would say less.
    <form onSubmit={onSubmit} aria-label={label} noValidate className="space-y-3">
      {field("reimportDaysBefore", "Reimport before ValidTo", "Due this many days before expiring material's ValidTo", REIMPORT_DAYS)}
      {rotation && field("rotateEveryDays", "New material every", "A draft rotation opens once the current material is this old", ROTATE_DAYS)}
      {errors.form && (
        <Alert tone="danger" inline>
          {errors.form}
        </Alert>
      )}
      <div className="flex items-center gap-3">
        <button type="submit" disabled={pending} className="h-9 rounded-md bg-accent-600 px-4 text-sm font-medium text-white hover:bg-accent-700 disabled:opacity-60">
          {pending ? "Saving…" : "Save schedule"}
        </button>
        <p role="status" className="text-sm text-ink-600">
          {saved}
        </p>
      </div>
    </form>
  );
}
