import type { ReactNode } from "react";

/**
 * Every data table in Keyport: a white card that scrolls sideways on narrow screens, with a caption for
 * screen readers. `head` is the header row's cells; `children` the body rows. The scrolling card is a named,
 * focusable region so that someone on a keyboard can scroll it too (axe: scrollable-region-focusable).
 * The card is `relative`: screen-reader-only text (`sr-only`, absolutely positioned) inside the table is then
 * placed and clipped within the card. Without it, such text is positioned against the page and, in a table
 * wider than the screen, stretches the page itself sideways.
 */
export function TableCard({ caption, head, children }: { caption: string; head: ReactNode; children: ReactNode }) {
  return (
    <div
      role="region"
      aria-label={caption}
      tabIndex={0}
      className="relative overflow-x-auto rounded-card bg-white shadow-card ring-1 ring-ink-200"
    >
      <table className="min-w-full divide-y divide-ink-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-ink-50 text-left text-xs font-semibold uppercase tracking-wide text-ink-600">
          <tr>{head}</tr>
        </thead>
        {children}
      </table>
    </div>
  );
}
