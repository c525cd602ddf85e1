"use client";

import { useState, useTransition } from "react";
import { formatCount } from "@/components/ui/format";
import { verifyAuditTrail, type VerificationDto } from "../actions";
import { ChainPanel } from "./chain-panel";
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
    <ChainPanel
      id="verify-heading"
      title="Hash chain"
      summary={
        <>
          {formatCount(head.lastSeq, "event")}. Head: <code className="break-all font-mono text-xs">{head.lastHash}</code>
        </>
      }
      action={
        <button
          type="button"
          onClick={verify}
          disabled={pending}
          className="h-9 rounded-md bg-accent-600 px-4 text-sm font-medium text-white hover:bg-accent-700 disabled:opacity-60"
        >
          {pending ? "Verifying…" : "Verify chain"}
        </button>
      }
      error={error}
    >
      {result && <VerifyResult result={result} />}
    </ChainPanel>
  );
}
