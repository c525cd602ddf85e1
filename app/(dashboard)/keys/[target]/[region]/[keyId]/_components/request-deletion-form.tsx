"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition, type FormEvent } from "react";
import { requestKeyMaterialDeletion } from "../actions";
import { Alert, dangerButtonClasses } from "@/components/ui/alert";

/**
 * Ask for this key's imported material to be deleted. It is a request of its own: approvers decide on it
 * under the same quorum as an import, and the approver's session deletes it (DeleteImportedKeyMaterial).
 */
export function RequestDeletionForm({ target, region, keyId }: { target: string; region: string; keyId: string }) {
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [justification, setJustification] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    startTransition(async () => {
      const result = await requestKeyMaterialDeletion({ target, region, keyId, justification });
      if (!result.ok) {
        setError(result.fieldErrors?.justification?.[0] ?? result.message);
        return;
      }
      router.push(`/imports/${result.data.requestId}`);
    });
  };

  if (!open)
    return (
      <button
        type="button"
        onClick={() => setOpen(true)}
        className={`h-9 rounded-md px-4 text-sm font-medium ${dangerButtonClasses}`}
      >
        Request deletion of key material…
      </button>
    );

  return (
    <form onSubmit={onSubmit} className="space-y-2 rounded-md border border-alert-danger-ring bg-alert-danger-bg/40 p-3" aria-label="Request deletion of key material">
      <p className="text-sm text-ink-800">
        After approval the key returns to PendingImport and cannot be used until the same material is imported again.
      </p>
      <label htmlFor={`${id}-why`} className="block text-sm font-medium text-ink-900">
        Justification
      </label>
      <textarea
        id={`${id}-why`}
        value={justification}
        onChange={(e) => setJustification(e.target.value)}
        rows={2}
        maxLength={1000}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className="w-full rounded-md border border-ink-300 bg-white px-3 py-2 text-sm"
      />
      {error && (
        <Alert tone="danger" inline id={`${id}-error`}>
          {error}
        </Alert>
      )}
      <div className="flex gap-2">
        <button type="submit" disabled={pending} className="h-9 rounded-md bg-alert-danger-fg px-4 text-sm font-medium text-white hover:opacity-90 disabled:opacity-60">
          {pending ? "Requesting…" : "Request deletion"}
        </button>
        <button type="button" onClick={() => setOpen(false)} className="h-9 rounded-md bg-white px-4 text-sm font-medium text-ink-800 ring-1 ring-inset ring-ink-300">
          Keep the material
        </button>
      </div>
    </form>
  );
}
