import type { ReactNode } from "react";

/** What a section shows when it has nothing yet: what will appear here, and why it is empty. */
export function EmptyState({ icon, title, children, action }: { icon?: ReactNode; title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <div className="flex flex-col items-center rounded-card border border-dashed border-ink-300 bg-white px-6 py-14 text-center">
      {icon && (
        <div aria-hidden className="mb-4 flex size-12 items-center justify-center rounded-full bg-accent-50 text-accent-600 [&_svg]:size-6">
          {icon}
        </div>
      )}
      <h2 className="text-base font-semibold text-ink-900">{title}</h2>
      <div className="mt-2 max-w-prose text-sm leading-6 text-ink-600">{children}</div>
      {action && <div className="mt-6">{action}</div>}
    </div>
  );
}
