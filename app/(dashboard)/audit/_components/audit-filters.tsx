import Link from "next/link";
import { AUDIT_ACTIONS } from "@/lib/audit";
import { auditActionLabel } from "@/lib/audit/labels";
import { alertClasses } from "@/components/ui/alert";

export type AuditFilterValues = Partial<Record<"action" | "from" | "to" | "request" | "key" | "person", string>>;

const input = "h-9 w-full rounded-md border border-ink-300 bg-white px-2 text-sm text-ink-900 shadow-sm aria-[invalid=true]:border-alert-danger-ring";

/**
 * The audit filters as a plain GET form (works before hydration). `values` are what the URL holds, valid or
 * not, so a filter that needs correcting is shown as it was typed, with its message beside it.
 */
export function AuditFilters({ values, errors = {} }: { values: AuditFilterValues; errors?: Partial<Record<keyof AuditFilterValues, string[]>> }) {
  const field = (name: keyof AuditFilterValues) => ({
    id: `audit-${name}`,
    name,
    "aria-invalid": errors[name] ? true : undefined,
    "aria-describedby": errors[name] ? `audit-${name}-error` : undefined,
  });
  const message = (name: keyof AuditFilterValues) =>
    errors[name] && (
      <p id={`audit-${name}-error`} className={`text-xs ${alertClasses.danger.text}`}>
        {errors[name].join(" ")}
      </p>
    );
  const label = (name: keyof AuditFilterValues, text: string) => (
    <label htmlFor={`audit-${name}`} className="text-xs font-medium text-ink-600">
      {text}
    </label>
  );
  return (
    <form method="get" action="/audit" role="search" aria-label="Filter events" className="grid gap-3 rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200 sm:grid-cols-2 lg:grid-cols-3">
      <div className="flex flex-col gap-1">
        {label("action", "Action")}
        <select {...field("action")} defaultValue={values.action ?? ""} className={input}>
          <option value="">All actions</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {auditActionLabel(a)}
            </option>
          ))}
        </select>
        {message("action")}
      </div>
      <div className="flex flex-col gap-1">
        {label("from", "From (UTC)")}
        <input {...field("from")} type="date" defaultValue={values.from} className={input} />
        {message("from")}
      </div>
      <div className="flex flex-col gap-1">
        {label("to", "To (UTC, inclusive)")}
        <input {...field("to")} type="date" defaultValue={values.to} className={input} />
        {message("to")}
      </div>
      <div className="flex flex-col gap-1">
        {label("request", "Request id")}
        <input {...field("request")} defaultValue={values.request} placeholder="e.g. 82ca661b" autoComplete="off" className={`${input} font-mono`} />
        {message("request")}
      </div>
      <div className="flex flex-col gap-1">
        {label("key", "Key (id, ARN or alias)")}
        <input {...field("key")} defaultValue={values.key} placeholder="e.g. alias/payments/settlement-kek" autoComplete="off" className={`${input} font-mono`} />
        {message("key")}
      </div>
      <div className="flex flex-col gap-1">
        {label("person", "Person (name, e-mail or id)")}
        <input {...field("person")} defaultValue={values.person} placeholder="e.g. Casey Nakamura" autoComplete="off" className={input} />
        {message("person")}
      </div>
      <div className="flex items-center gap-3 sm:col-span-2 lg:col-span-3">
        <button type="submit" className="h-9 rounded-md bg-ink-800 px-4 text-sm font-medium text-white hover:bg-ink-900">
          Apply
        </button>
        <Link href="/audit" className="text-sm font-medium text-accent-700 underline">
          Clear filters
        </Link>
      </div>
    </form>
  );
}
