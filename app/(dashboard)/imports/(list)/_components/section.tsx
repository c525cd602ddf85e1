import type { ReactNode } from "react";

/** A titled list of the pending view, with its count and what it means. */
export function Section({ id, title, count, hint, children }: { id: string; title: string; count: number; hint: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`}>
      <div className="mb-3">
        <h2 id={`${id}-heading`} className="flex items-center gap-2 text-base font-semibold text-ink-900">
          {title}
          <span className="rounded-full bg-ink-100 px-2 py-0.5 text-xs font-medium text-ink-700">{count}</span>
        </h2>
        <p className="text-sm text-ink-600">{hint}</p>
      </div>
      {children}
    </section>
  );
}

export function Quiet({ children }: { children: ReactNode }) {
  return <p className="rounded-card border border-dashed border-ink-300 bg-white px-4 py-5 text-sm text-ink-600">{children}</p>;
}
