"use client";

import { useId, type ReactNode } from "react";

/** The building blocks of the start form: a titled group, and one radio (or checkbox) choice with its note. */

export function Fieldset({ legend, hint, children }: { legend: string; hint: string; children: ReactNode }) {
  return (
    <fieldset>
      <legend className="text-sm font-semibold text-ink-900">{legend}</legend>
      <p className="mb-2 text-sm text-ink-600">{hint}</p>
      {children}
    </fieldset>
  );
}

export function Choice({
  type = "radio",
  name,
  value,
  checked,
  disabled,
  onChange,
  label,
  note,
  recommended,
}: {
  type?: "radio" | "checkbox";
  name: string;
  value: string;
  checked: boolean;
  disabled?: boolean;
  onChange: () => void;
  label: ReactNode;
  note?: string;
  recommended?: boolean;
}) {
  const id = useId();
  return (
    <div
      className={`flex items-start gap-3 rounded-md px-3 py-2 ring-1 ring-inset ${
        checked ? "bg-accent-50 ring-accent-200" : disabled ? "bg-ink-50 ring-ink-100" : "bg-white ring-ink-200"
      }`}
    >
      <input
        id={id}
        type={type}
        name={name}
        value={value}
        checked={checked}
        disabled={disabled}
        onChange={onChange}
        aria-describedby={note ? `${id}-note` : undefined}
        className="mt-1 size-4 accent-accent-600"
      />
      <div className="min-w-0">
        <label htmlFor={id} className={`flex flex-wrap items-center gap-2 ${disabled ? "text-ink-500" : "text-ink-900"}`}>
          {label}
          {recommended && <span className="rounded bg-alert-success-bg px-1.5 py-0.5 text-[11px] font-medium text-alert-success-fg">Recommended</span>}
        </label>
        {note && (
          <p id={`${id}-note`} className={`text-xs ${disabled ? "text-ink-500" : "text-ink-600"}`}>
            {note}
          </p>
        )}
      </div>
    </div>
  );
}
