"use client";

import { useState, useTransition } from "react";
import { formatCount } from "@/components/ui/format";
import { verifyAuditTrail, type VerificationDto } from "../actions";
import { Alert } from "@/components/ui/alert";
import { VerifyResult } from "./verify-result";

/** Verifies the whole chain on demand and says plainly what was found. */
export function VerifyPanel({ head }: { head: { lastSeq: number; lastHash: string } }) {
  const [pending, startTransition] = useTransition();
  const [result, setResult] = useState<VerificationDto | null>(null);
  const [error, setError] = useState<string | null>(null);

  const verify = () =>
    startTransition(async () => {
      setError(null);
      const r = await verifyAuditTrail({});
      if (r.ok) setResult(r.data);
      else setError(r.message);
    });

  return (
    <section aria-labelledby="verify-heading" className="rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <h2 id="verify-heading" className="text-sm font-semibold text-ink-900">
            Hash chain
          </h2>
          <p className="text-sm text-ink-600">
            {formatCount(head.lastSeq, "event")}. Head: <code className="break-all font-mono text-xs">{head.lastHash}</code>
          </p>
        </div>
        <button
          type="button"
          onClick={verify}
          disabled={pending}
          className="h-9 rounded-md bg-accent-600 px-4 text-sm font-medium text-white hover:bg-accent-700 disabled:opacity-60"
        >
          {pending ? "Verifying…" : "Verify chain"}
        </button>
      </div>
      <div aria-live="polite">
        {result && <VerifyResult result={result} />}
        {error && (
          <Alert tone="danger" inline className="mt-3">
            {error}
          </Alert>
        )}
      </div>
    </section>
  );
}
