"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import type { ActionResult } from "@/lib/auth/action-result";
import type { ExecutionResult } from "@/lib/imports/outcomes";
import { cancelImportRequest, issueImportParameters, verifyImportSession, verifyImportedKeyMaterial } from "../../actions";
import { Alert, alertClasses, dangerButtonClasses } from "@/components/ui/alert";

type Feedback = { tone: "ok" | "error"; text: string } | null;

const button = "h-9 rounded-md px-4 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-60";
const primary = `${button} bg-accent-600 text-white hover:bg-accent-700`;
const secondary = `${button} bg-white text-ink-800 ring-1 ring-inset ring-ink-300 hover:bg-ink-50`;
const danger = `${button} ${dangerButtonClasses}`;

function useAction() {
  const router = useRouter();
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [pending, startTransition] = useTransition();
  const run = <T,>(action: () => Promise<ActionResult<T>>, ok: (data: T) => Feedback) => {
    setFeedback(null);
    startTransition(async () => {
      const result = await action();
      if (!result.ok) setFeedback({ tone: "error", text: result.message });
      else setFeedback(ok(result.data));
      router.refresh();
    });
  };
  const status = (
    <p role="status" aria-live="polite" className={`text-sm ${alertClasses[feedback?.tone === "error" ? "danger" : "success"].text}`}>
      {feedback?.text}
    </p>
  );
  return { run, pending, status };
}

/** Get (or get again) import parameters: a new wrapping key pair and token. */
export function IssueParametersButton({ requestId, reissue }: { requestId: string; reissue: boolean }) {
  const { run, pending, status } = useAction();
  const [confirming, setConfirming] = useState(false);
  const go = () => run(() => issueImportParameters({ requestId }), () => ({ tone: "ok", text: "New import parameters issued." }));
  return (
    <div className="space-y-2">
      {reissue && confirming ? (
        <Alert tone="warning">
          <p>
            The current public key and token stop being offered, and an upload wrapped with them no longer counts: the material must be
            wrapped again with the new public key.
          </p>
          <div className="mt-2 flex gap-2">
            <button type="button" className={primary} disabled={pending} onClick={go}>
              {pending ? "Issuing…" : "Reissue parameters"}
            </button>
            <button type="button" className={secondary} onClick={() => setConfirming(false)}>
              Keep the current ones
            </button>
          </div>
        </Alert>
      ) : (
        <button type="button" className={reissue ? secondary : primary} disabled={pending} onClick={() => (reissue ? setConfirming(true) : go())}>
          {pending ? "Issuing…" : reissue ? "Reissue parameters…" : "Get import parameters"}
        </button>
      )}
      {status}
    </div>
  );
}

export function CancelRequestButton({ requestId }: { requestId: string }) {
  const { run, pending, status } = useAction();
  const id = useId();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  return (
    <div className="space-y-2">
      {confirming ? (
        <div className="space-y-2 rounded-md border border-ink-200 bg-ink-50 p-3">
          <label htmlFor={`${id}-reason`} className="block text-sm font-medium text-ink-800">
            Why cancel? <span className="font-normal text-ink-500">(optional, recorded in the audit trail)</span>
          </label>
          <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} className="h-9 w-full rounded-md border border-ink-300 px-3 text-sm" />
          <div className="flex gap-2">
            <button type="button" className={danger} disabled={pending} onClick={() => run(() => cancelImportRequest({ requestId, reason }), () => ({ tone: "ok", text: "Cancelled." }))}>
              {pending ? "Cancelling…" : "Cancel the request"}
            </button>
            <button type="button" className={secondary} onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className={danger} onClick={() => setConfirming(true)}>
          Cancel request…
        </button>
      )}
      {status}
    </div>
  );
}

export type RetryAction = (input: { requestId: string }) => Promise<ActionResult<ExecutionResult>>;

export function RetryButton({ requestId, retry }: { requestId: string; retry: RetryAction }) {
  const { run, pending, status } = useAction();
  return (
    <div className="space-y-2">
      <button
        type="button"
        className={primary}
        disabled={pending}
        onClick={() =>
          run(
            () => retry({ requestId }),
            (execution) =>
              execution.ok
                ? { tone: "ok", text: `Done: AWS KMS accepted it this time.${execution.verification && !execution.verification.ok ? ` ${execution.verification.message}` : ""}` }
                : { tone: "error", text: `It did not complete this time either: ${execution.message}` },
          )
        }
      >
        {pending ? "Retrying…" : "Retry as me"}
      </button>
      {status}
    </div>
  );
}

/** A check that can be run again: its button, and what the last run said. */
function RunAgainButton<T>({ label, working, action, said }: { label: string; working: string; action: () => Promise<ActionResult<T>>; said: (data: T) => Feedback }) {
  const { run, pending, status } = useAction();
  return (
    <div className="space-y-2">
      <button type="button" className={secondary} disabled={pending} onClick={() => run(action, said)}>
        {pending ? working : label}
      </button>
      {status}
    </div>
  );
}

export function VerifyButton({ requestId }: { requestId: string }) {
  return (
    <RunAgainButton
      label="Verify again"
      working="Verifying…"
      action={() => verifyImportedKeyMaterial({ requestId })}
      said={(r) => (r.ok ? { tone: "ok", text: "Verified again." } : { tone: "error", text: r.message })}
    />
  );
}

/** A multi-Region session's cross-Region proof, run again as this person. */
export function VerifySessionButton({ sessionId }: { sessionId: string }) {
  return (
    <RunAgainButton
      label="Compare the Regions again"
      working="Comparing the Regions…"
      action={() => verifyImportSession({ sessionId })}
      said={(r) => (r.ok ? { tone: "ok", text: "Verified: every Region holds the same material." } : { tone: "error", text: "The Regions do not hold the same material." })}
    />
  );
}
