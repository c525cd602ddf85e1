"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action-result";
import { CONFIRMATION_REQUIRED, NO_BLOB } from "@/lib/imports/limits";
import type { DecisionOutcome } from "@/lib/imports/outcomes";
import { Alert, alertClasses, dangerButtonClasses } from "@/components/ui/alert";

/** The server action that records a decision (passed in by the page: components do not import app/). */
export type DecideAction = (input: {
  requestId: string;
  decision: "approve" | "reject";
  comment?: string;
  blobSha256: string;
  confirmed: boolean;
}) => Promise<ActionResult<DecisionOutcome>>;

export type DecisionPanelProps = {
  decide: DecideAction;
  requestId: string;
  /** SHA-256 of the blob under review (null for a deletion): the server refuses the decision if it changed. */
  blobSha256: string | null;
  /** What the approver confirms by ticking the box (approvalConfirmation of the request's kind). */
  confirmation: string;
  approvals: number;
  required: number;
  /** Why this person cannot decide (they requested or uploaded it), in the server's own words. */
  refusal: string | null;
  /** Whether this person has already decided on this upload. */
  decided: boolean;
  verb: "import" | "deletion";
};

export type Feedback = { tone: "ok" | "error"; text: string } | null;

/** Approve or reject, with a comment (required to reject). */
export function DecisionPanel({ decide, requestId, blobSha256, confirmation, approvals, required, refusal, decided, verb }: DecisionPanelProps) {
  const router = useRouter();
  if (refusal) {
    return (
      <Alert tone="warning" role="note">
        {refusal}
      </Alert>
    );
  }
  if (decided) {
    return <p className="text-sm text-ink-700">You have decided on this upload. {required - approvals > 0 ? `It needs ${required - approvals} more approval${required - approvals === 1 ? "" : "s"} from someone else.` : ""}</p>;
  }

  const onDecide: OnDecide = async ({ decision, comment, confirmed }) => {
    const result = await decide({ requestId, decision, comment, blobSha256: blobSha256 ?? NO_BLOB, confirmed });
    if (!result.ok) return { ok: false, message: result.message, fieldErrors: result.fieldErrors };
    const { state, execution, approvals: count, required: needed } = result.data;
    let feedback: Feedback;
    if (state === "rejected") feedback = { tone: "ok", text: "Rejected. The custodian sees your comment." };
    else if (execution?.ok) {
      const done = verb === "deletion" ? "Approved: the key material was deleted." : "Approved: the key material was imported.";
      // A verification that could not run is said, not dropped; the import stands either way.
      feedback = { tone: "ok", text: execution.verification && !execution.verification.ok ? `${done} ${execution.verification.message}` : done };
    }
    // Not "AWS KMS refused": the message says whose failure it was (AWS's, or Keyport's own with a reference).
    else if (execution && !execution.ok) feedback = { tone: "error", text: `Approved, but it did not complete: ${execution.message}` };
    else feedback = { tone: "ok", text: `Approved (${count} of ${needed}). It needs another approver.` };
    // Show the outcome where it lives: the request's page (the queue no longer lists a decided request).
    const requestPath = `/imports/${requestId}`;
    if (window.location.pathname === requestPath) router.refresh();
    else router.push(requestPath);
    return { ok: true, feedback };
  };

  return <DecisionForm onDecide={onDecide} confirmation={confirmation} approveLabel={verb === "deletion" ? "Approve deletion" : "Approve import"} />;
}

export type OnDecide = (input: {
  decision: "approve" | "reject";
  comment: string;
  confirmed: boolean;
}) => Promise<{ ok: true; feedback: Feedback } | { ok: false; message: string; fieldErrors?: Record<string, string[] | undefined> }>;

/**
 * The decision itself: a comment (required to reject), the approver's confirmation (required to approve),
 * and the two buttons. What a decision does is the caller's `onDecide`; the form checks what it can first.
 */
export function DecisionForm({ onDecide, confirmation, approveLabel }: { onDecide: OnDecide; confirmation: string; approveLabel: string }) {
  const id = useId();
  const [comment, setComment] = useState("");
  const [commentError, setCommentError] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [confirmError, setConfirmError] = useState<string | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [pending, startTransition] = useTransition();

  const submit = (decision: "approve" | "reject") => {
    setFeedback(null);
    setCommentError(null);
    setConfirmError(null);
    if (decision === "reject" && !comment.trim()) {
      setCommentError("Say why you reject it; the custodian reads this.");
      return;
    }
    if (decision === "approve" && !confirmed) {
      setConfirmError(CONFIRMATION_REQUIRED);
      return;
    }
    startTransition(async () => {
      const result = await onDecide({ decision, comment, confirmed: decision === "approve" && confirmed });
      if (!result.ok) {
        setCommentError(result.fieldErrors?.comment?.[0] ?? null);
        setConfirmError(result.fieldErrors?.confirmed?.[0] ?? null);
        setFeedback({ tone: "error", text: result.message });
        return;
      }
      setFeedback(result.feedback);
    });
  };

  return (
    <div className="space-y-3">
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-comment`} className="text-sm font-medium text-ink-800">
          Comment <span className="font-normal text-ink-500">(required to reject)</span>
        </label>
        <textarea
          id={`${id}-comment`}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          rows={2}
          maxLength={1000}
          aria-invalid={commentError ? true : undefined}
          aria-describedby={commentError ? `${id}-comment-error` : undefined}
          className="rounded-md border border-ink-300 px-3 py-2 text-sm shadow-sm"
          placeholder="e.g. Hash confirmed with the custodian by phone"
        />
        {commentError && (
          <p id={`${id}-comment-error`} className="text-sm text-alert-danger-fg">
            {commentError}
          </p>
        )}
      </div>
      <div className="flex flex-col gap-1">
        <label className="flex items-start gap-2 text-sm text-ink-800">
          <input
            type="checkbox"
            checked={confirmed}
            onChange={(e) => setConfirmed(e.target.checked)}
            aria-invalid={confirmError ? true : undefined}
            aria-describedby={confirmError ? `${id}-confirm-error` : undefined}
            className="mt-0.5 size-4 shrink-0 rounded border-ink-300"
          />
          <span>{confirmation}</span>
        </label>
        {confirmError && (
          <p id={`${id}-confirm-error`} className={`text-sm ${alertClasses.danger.text}`}>
            {confirmError}
          </p>
        )}
      </div>
      <div className="flex flex-wrap gap-2">
        <button
          type="button"
          onClick={() => submit("approve")}
          disabled={pending}
          className="h-9 rounded-md bg-accent-600 px-4 text-sm font-medium text-white hover:bg-accent-700 disabled:opacity-60"
        >
          {pending ? "Working…" : approveLabel}
        </button>
        <button
          type="button"
          onClick={() => submit("reject")}
          disabled={pending}
          className={`h-9 rounded-md px-4 text-sm font-medium disabled:opacity-60 ${dangerButtonClasses}`}
        >
          Reject
        </button>
      </div>
      <p role="status" aria-live="polite" className={`text-sm ${alertClasses[feedback?.tone === "error" ? "danger" : "success"].text}`}>
        {feedback?.text}
      </p>
    </div>
  );
}
