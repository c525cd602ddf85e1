"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Alert } from "@/components/ui/alert";
import { formatDateTime } from "@/components/ui/format";
import { signAuditCheckpoint } from "../checkpoint-actions";
import { ChainPanel } from "./chain-panel";

export type LatestCheckpoint = { seq: number; headSeq: number; at: string; keyArn: string } | null;

/**
 * The latest signed checkpoint of the chain, and a way to sign one now. A checkpoint is the chain head signed
 * with a KMS key Keyport's database cannot reach: a rewrite of earlier events shows against it.
 */
export function CheckpointPanel({ latest, configured }: { latest: LatestCheckpoint; configured: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [signed, setSigned] = useState<number | null>(null);

  const sign = () =>
    startTransition(async () => {
      setError(null);
      const r = await signAuditCheckpoint({});
      if (!r.ok) return setError(r.message);
      setSigned(r.data.headSeq);
      router.refresh();
    });

  return (
    <ChainPanel
      id="checkpoint-heading"
      title="Signed checkpoints"
      summary={
        !configured ? (
          "Not configured: set KEYPORT_AUDIT_SIGNING_KEY so a KMS key outside this database signs the chain head."
        ) : latest ? (
          <>
            Latest covers {latest.headSeq === 0 ? "the trail before its first event" : `events #1–#${latest.headSeq}`}, signed{" "}
            {formatDateTime(new Date(latest.at))} with <code className="break-all font-mono text-xs">{latest.keyArn}</code>
          </>
        ) : (
          "No checkpoint yet."
        )
      }
      action={
        configured && (
          <button
            type="button"
            onClick={sign}
            disabled={pending}
            className="h-9 rounded-md bg-white px-4 text-sm font-medium text-ink-800 ring-1 ring-ink-300 hover:bg-ink-50 disabled:opacity-60"
          >
            {pending ? "Signing…" : "Sign a checkpoint now"}
          </button>
        )
      }
      error={error}
    >
      {signed !== null && !error && (
        <Alert tone="success" className="mt-3">
          Signed: the chain up to event #{signed} is now checkpointed, in the trail and outside the database.
        </Alert>
      )}
    </ChainPanel>
  );
}
