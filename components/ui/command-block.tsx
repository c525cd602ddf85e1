import { CopyButton } from "./copy-button";

/** A shell command (or several lines of them) to copy and run, with what it does above it. */
export function CommandBlock({ title, note, command, step }: { title: string; note?: string; command: string; step?: number }) {
  return (
    <figure className="min-w-0">
      <figcaption>
        <span className="block text-sm font-medium text-ink-900">
          {step !== undefined && <span className="mr-1.5 text-ink-500">{step}.</span>}
          {title}
        </span>
        {note && <span className="mt-0.5 block text-xs text-ink-600 [overflow-wrap:anywhere]">{note}</span>}
      </figcaption>
      <div className="mt-2 overflow-hidden rounded-md bg-ink-900">
        <div className="flex items-center justify-between border-b border-white/10 px-3 py-1.5">
          <span className="font-mono text-[11px] uppercase tracking-wider text-ink-400">shell</span>
          <CopyButton text={command} what={`command: ${title}`} />
        </div>
        <pre className="whitespace-pre-wrap p-3 font-mono text-xs leading-5 text-ink-100 [overflow-wrap:anywhere]">
          <code>{command}</code>
        </pre>
      </div>
    </figure>
  );
}
