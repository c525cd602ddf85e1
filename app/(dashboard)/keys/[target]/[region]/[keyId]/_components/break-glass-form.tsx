"use client";

import { useRouter } from "next/navigation";
import { useId, useState, useTransition, type FormEvent } from "react";
import { Alert, dangerButtonClasses } from "@/components/ui/alert";
import type { FieldErrors } from "@/lib/auth/action-result";
import type { BreakGlassOutcome } from "@/lib/imports/outcomes";
import { BREAK_GLASS_REASON_MIN, confirmsKey, JUSTIFICATION_MAX } from "@/lib/imports/limits";
import { breakGlassDeleteMaterial } from "../actions";

/**
 * Break glass: delete this key's material in every Region of its set now, with no second person. Offered only
 * to those holding `break_glass` while it is turned on; the server checks both again. The button stays off until
 * the person has typed the key's id or alias and a reason of some length.
 */
export function BreakGlassForm({
  target,
  region,
  keyId,
  aliases,
  regions,
  hasMaterial,
}: {
  target: string;
  region: string;
  keyId: string;
  aliases: string[];
  regions: string[];
  /** Whether any Region of the set holds material: with none, there is nothing to break glass for. */
  hasMaterial: boolean;
}) {
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [confirmation, setConfirmation] = useState("");
  const [error, setError] = useState<{ message: string; fields: FieldErrors } | null>(null);
  const [outcome, setOutcome] = useState<BreakGlassOutcome | null>(null);
  const [pending, startTransition] = useTransition();
  const ready = reason.trim().length >= BREAK_GLASS_REASON_MIN && confirmsKey(confirmation, { keyId, aliases });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    startTransition(async () => {
      const result = await breakGlassDeleteMaterial({ target, region, keyId, reason, confirmation });
      if (!result.ok) {
        setError({ message: result.message, fields: result.fieldErrors ?? {} });
        return;
      }
      setOutcome(result.data);
      router.refresh();
    });
  };

  if (outcome) return <BreakGlassResult outcome={outcome} />;
  if (!hasMaterial) return null;

  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)} className={`h-9 rounded-md px-4 text-sm font-medium ${dangerButtonClasses}`}>
        Break glass: delete now, without approval…
      </button>
    );

  const fieldError = (name: string) => error?.fields[name]?.[0];
  return (
    <form onSubmit={onSubmit} className="space-y-2 rounded-md border border-alert-danger-ring bg-alert-danger-bg/40 p-3" aria-label="Break glass">
      <p className="text-sm text-ink-800">
        For an incident only. The key material is deleted at once in {regions.length > 1 ? `every Region of this key (${regions.join(", ")})` : region}, with no
        second person; open requests on the key are cancelled. The key cannot be used until material is imported again under dual control. Everyone
        notified sees your name and your reason.
      </p>
      <label htmlFor={`${id}-reason`} className="block text-sm font-medium text-ink-900">
        Reason
      </label>
      <textarea
        id={`${id}-reason`}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        rows={3}
        maxLength={JUSTIFICATION_MAX}
        aria-invalid={fieldError("reason") ? true : undefined}
        aria-describedby={`${id}-reason-hint`}
        className="w-full rounded-md border border-ink-300 bg-white px-3 py-2 text-sm"
      />
      <p id={`${id}-reason-hint`} className={`text-xs ${fieldError("reason") ? "text-alert-danger-fg" : "text-ink-600"}`}>
        {fieldError("reason") ?? `At least ${BREAK_GLASS_REASON_MIN} characters.`}
      </p>
      <label htmlFor={`${id}-confirm`} className="block text-sm font-medium text-ink-900">
        Type <span className="font-mono">{aliases[0] ?? keyId}</span> to confirm
      </label>
      <input
        id={`${id}-confirm`}
        value={confirmation}
        onChange={(e) => setConfirmation(e.target.value)}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={fieldError("confirmation") ? true : undefined}
        className="w-full rounded-md border border-ink-300 bg-white px-3 py-2 font-mono text-sm"
      />
      {error && (
        <Alert tone="danger" inline>
          {fieldError("confirmation") ?? (fieldError("reason") ? "Give a reason first." : error.message)}
        </Alert>
      )}
      <div className="flex gap-2">
        <button type="submit" disabled={pending || !ready} className="h-9 rounded-md bg-alert-danger-fg px-4 text-sm font-medium text-white hover:opacity-90 disabled:opacity-60">
          {pending ? "Deleting…" : "Delete the key material now"}
        </button>
        <button type="button" onClick={() => setOpen(false)} className="h-9 rounded-md bg-white px-4 text-sm font-medium text-ink-800 ring-1 ring-inset ring-ink-300">
          Keep the material
        </button>
      </div>
    </form>
  );
}

/** What happened in each Region: a Region KMS refused is named with KMS's reason, so the person can act on it. */
function BreakGlassResult({ outcome }: { outcome: BreakGlassOutcome }) {
  const failed = outcome.regions.filter((r) => r.outcome === "failed");
  return (
    <Alert tone={failed.length ? "danger" : "warning"} title={failed.length ? "Not deleted everywhere." : "Key material deleted."}>
      <ul className="mt-1 space-y-1">
        {outcome.regions.map((r) => (
          <li key={r.region}>
            <span className="font-mono">{r.region}</span>: {r.outcome === "deleted" ? "deleted" : `not deleted — ${r.message}`}
          </li>
        ))}
      </ul>
      {outcome.cancelledRequestIds.length > 0 && <p className="mt-1">Open requests cancelled: {outcome.cancelledRequestIds.length}.</p>}
      {outcome.inFlightRequestIds.length > 0 && (
        <p className="mt-1">An import was being carried out ({outcome.inFlightRequestIds.map((i) => i.slice(0, 8)).join(", ")}): check the key when it ends.</p>
      )}
      {failed.length > 0 && <p className="mt-1">Break glass can be run again: Regions already without material are left as they are.</p>}
    </Alert>
  );
}
