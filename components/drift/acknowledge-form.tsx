"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import type { ActionResult } from "@/lib/auth/action-result";
import { ACKNOWLEDGEMENT_MAX } from "@/lib/drift/limits";

export type AcknowledgeAction = (input: { findingId: string; comment: string }) => Promise<ActionResult<{ acknowledgedAt: string }>>;

/** Accepting a change made outside Keyport: the comment (who made it, what covers it) is required and audited. */
export function AcknowledgeForm({ findingId, acknowledge }: { findingId: string; acknowledge: AcknowledgeAction }) {
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    startTransition(async () => {
      const result = await acknowledge({ findingId, comment });
      if (!result.ok) {
        setError(result.fieldErrors?.comment?.[0] ?? result.message);
        return;
      }
      router.refresh();
    });
  };

  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)} className="mt-3 h-9 rounded-md bg-white px-4 text-sm font-medium text-ink-800 ring-1 ring-inset ring-ink-300 hover:bg-ink-50">
        Acknowledge…
      </button>
    );

  return (
    <form onSubmit={onSubmit} aria-label="Acknowledge this change" className="mt-3 space-y-2">
      <label htmlFor={`${id}-comment`} className="block text-sm font-medium text-ink-900">
        Why is this change accepted?
      </label>
      <textarea
        id={`${id}-comment`}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        rows={2}
        maxLength={ACKNOWLEDGEMENT_MAX}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : `${id}-hint`}
        className="w-full rounded-md border border-ink-300 bg-white px-3 py-2 text-sm"
      />
      <p id={`${id}-hint`} className="text-xs text-ink-600">
        Who made it, and the ticket or approval that covers it. The comment is kept in the audit trail.
      </p>
      {error && (
        <Alert tone="danger" inline id={`${id}-error`}>
          {error}
        </Alert>
      )}
      <div className="flex gap-2">
        <button type="submit" disabled={pending} className="h-9 rounded-md bg-accent-600 px-4 text-sm font-medium text-white hover:bg-accent-700 disabled:opacity-60">
          {pending ? "Acknowledging…" : "Acknowledge"}
        </button>
        <button type="button" onClick={() => setOpen(false)} className="h-9 rounded-md bg-white px-4 text-sm font-medium text-ink-800 ring-1 ring-inset ring-ink-300">
          Not now
        </button>
      </div>
    </form>
  );
}
