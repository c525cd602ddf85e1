import type { ReactNode } from "react";

/** A titled section of the request page (a landmark: its heading names it). */
export function Card({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200">
      <h2 id={`${id}-heading`} className="mb-3 text-sm font-semibold text-ink-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

export function Field({ label, children, mono, wide }: { label: string; children: ReactNode; mono?: boolean; wide?: boolean }) {
  return (
    <div className={`min-w-0 ${wide ? "sm:col-span-2" : ""}`}>
      <dt className="text-xs font-medium uppercase tracking-wide text-ink-500">{label}</dt>
      <dd className={`mt-0.5 break-words text-ink-900 ${mono ? "break-all font-mono text-xs" : ""}`}>{children}</dd>
    </div>
  );
}
