import type { ReactNode } from "react";
import { Alert } from "@/components/ui/alert";

/**
 * The frame the audit page's chain panels share: a titled card with a one-line summary, an action button on
 * the right, and a live region for what the action found (or the error it met).
 */
export function ChainPanel({
  id,
  title,
  summary,
  action,
  error,
  children,
}: {
  id: string;
  title: string;
  summary: ReactNode;
  action?: ReactNode;
  error: string | null;
  children?: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <h2 id={id} className="text-sm font-semibold text-ink-900">
            {title}
          </h2>
          <p className="text-sm text-ink-600">{summary}</p>
        </div>
        {action}
      </div>
      <div aria-live="polite">
        {children}
        {error && (
          <Alert tone="danger" inline className="mt-3">
            {error}
          </Alert>
        )}
      </div>
    </section>
  );
}
