"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { startScheduledReimportRequest } from "../actions";

/**
 * One click: a reimport request copying the key's last import (same wrapping, same material for symmetric
 * keys, a ValidTo as far ahead as last time), its parameters obtained at once; then the request page.
 */
export function StartReimportButton({ target, region, keyId, label }: { target: string; region: string; keyId: string; label: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const onClick = () => {
    setError(null);
    startTransition(async () => {
      const result = await startScheduledReimportRequest({ target, region, keyId });
      if (!result.ok) {
        setError(result.message);
        return;
      }
      router.push(`/imports/${result.data.requestId}`);
    });
  };
  return (
    <div>
      <button
        type="button"
        onClick={onClick}
        disabled={pending}
        aria-label={`Start reimport of ${label}`}
        className="h-8 whitespace-nowrap rounded-md bg-accent-600 px-3 text-xs font-medium text-white hover:bg-accent-700 disabled:opacity-60"
      >
        {pending ? "Starting…" : "Start reimport"}
      </button>
      {error && (
        <p role="alert" className="mt-1 max-w-xs text-xs text-alert-danger-fg">
          {error}
        </p>
      )}
    </div>
  );
}
