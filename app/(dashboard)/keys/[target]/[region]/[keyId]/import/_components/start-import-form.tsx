"use client";

import { useRouter } from "next/navigation";
import { useId, useMemo, useState, useTransition, type FormEvent, type ReactNode } from "react";
import {
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
  checkWrapping,
  defaultWrapping,
  describeBlobSize,
  expectedBlobSize,
  familyOf,
  type KeySpec,
  type WrappingAlgorithm,
  type WrappingKeySpec,
} from "@/lib/imports/compat";
import { startImportRequest } from "../../actions";
import { Alert } from "@/components/ui/alert";

export type StartImportKey = {
  targetId: string;
  region: string;
  keyId: string;
  label: string;
  keySpec: KeySpec;
  keyState: string;
  hasMaterial: boolean;
};

const ALGORITHM_NOTES: Record<WrappingAlgorithm, string> = {
  RSAES_OAEP_SHA_256: "RSA-OAEP with SHA-256 wraps the material directly. For symmetric, HMAC and EC private keys.",
  RSAES_OAEP_SHA_1: "The same with SHA-1, for HSMs that cannot do OAEP with SHA-256.",
  RSA_AES_KEY_WRAP_SHA_256: "A fresh AES key wraps the material (RFC 5649) and RSA-OAEP with SHA-256 wraps that AES key. Required for RSA private keys.",
  RSA_AES_KEY_WRAP_SHA_1: "The same with SHA-1 for the RSA-OAEP step.",
  SM2PKE: "SM2 public-key encryption with an SM2 wrapping key.",
  RSAES_PKCS1_V1_5: "PKCS #1 v1.5 padding.",
};

const DAY_MS = 24 * 3600_000;

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The start of an import (or rotation): wrapping algorithm and key spec — only the combinations valid for
 * this key are selectable, and each refused one says why — the import type for symmetric keys, the
 * expiration of the key material, and a justification. Submitting asks KMS for import parameters as you.
 */
export function StartImportForm({ keyInfo, kind, serverNow }: { keyInfo: StartImportKey; kind: "import" | "rotate"; serverNow: number }) {
  const router = useRouter();
  const id = useId();
  const fallback = defaultWrapping(keyInfo.keySpec, keyInfo.region);
  const [algorithm, setAlgorithm] = useState<WrappingAlgorithm | null>(fallback?.algorithm ?? null);
  const [wrappingKeySpec, setWrappingKeySpec] = useState<WrappingKeySpec | null>(fallback?.wrappingKeySpec ?? null);
  const symmetric = familyOf(keyInfo.keySpec) === "SYMMETRIC";
  const [importType, setImportType] = useState(keyInfo.hasMaterial ? "EXISTING_KEY_MATERIAL" : "NEW_KEY_MATERIAL");
  const [expires, setExpires] = useState(true);
  const minDate = isoDate(serverNow + DAY_MS);
  const maxDate = isoDate(serverNow + 365 * DAY_MS);
  const [validTo, setValidTo] = useState(maxDate);
  const [justification, setJustification] = useState("");
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const available = useMemo(
    () =>
      new Map(
        WRAPPING_ALGORITHMS.map((a) => {
          const checks = WRAPPING_KEY_SPECS.map((w) => checkWrapping(keyInfo.keySpec, keyInfo.region, a, w));
          const ok = checks.some((c) => c.ok);
          const reason = checks.find((c): c is { ok: false; reason: string } => !c.ok)?.reason ?? "";
          return [a, { ok, reason }] as const;
        }),
      ),
    [keyInfo.keySpec, keyInfo.region],
  );

  const chooseAlgorithm = (a: WrappingAlgorithm) => {
    setAlgorithm(a);
    if (!wrappingKeySpec || !checkWrapping(keyInfo.keySpec, keyInfo.region, a, wrappingKeySpec).ok) {
      setWrappingKeySpec(WRAPPING_KEY_SPECS.find((w) => checkWrapping(keyInfo.keySpec, keyInfo.region, a, w).ok) ?? null);
    }
  };

  const expected = algorithm && wrappingKeySpec && checkWrapping(keyInfo.keySpec, keyInfo.region, algorithm, wrappingKeySpec).ok
    ? expectedBlobSize(keyInfo.keySpec, keyInfo.region, algorithm, wrappingKeySpec)
    : null;

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setMessage(null);
    setErrors({});
    if (!algorithm || !wrappingKeySpec) {
      setErrors({ wrappingAlgorithm: ["Choose a wrapping algorithm and key spec."] });
      return;
    }
    startTransition(async () => {
      const result = await startImportRequest({
        target: keyInfo.targetId,
        region: keyInfo.region,
        keyId: keyInfo.keyId,
        kind,
        wrappingAlgorithm: algorithm,
        wrappingKeySpec,
        importType: symmetric ? (kind === "rotate" ? "NEW_KEY_MATERIAL" : importType) : undefined,
        expirationModel: expires ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE",
        validTo: expires ? validTo : undefined,
        justification,
      });
      if (!result.ok) {
        setErrors(result.fieldErrors ?? {});
        setMessage(result.message);
        return;
      }
      router.push(`/imports/${result.data.requestId}`);
    });
  };

  const fieldError = (name: string) =>
    errors[name]?.length ? (
      <p id={`${id}-${name}-error`} className="text-sm text-alert-danger-fg">
        {errors[name]?.join(" ")}
      </p>
    ) : null;

  return (
    <form onSubmit={onSubmit} className="space-y-6" aria-label={kind === "rotate" ? "Rotate to new key material" : "Start an import"} noValidate>
      <Fieldset legend="Wrapping algorithm" hint="How the key material is protected on its way to KMS. Only what KMS accepts for this key can be chosen.">
        <div className="space-y-2">
          {WRAPPING_ALGORITHMS.map((a) => {
            const state = available.get(a)!;
            return (
              <Choice
                key={a}
                name="wrappingAlgorithm"
                value={a}
                checked={algorithm === a}
                disabled={!state.ok}
                onChange={() => chooseAlgorithm(a)}
                label={<span className="font-mono text-sm">{a}</span>}
                note={state.ok ? ALGORITHM_NOTES[a] : `Not available: ${state.reason}`}
                recommended={fallback?.algorithm === a}
              />
            );
          })}
        </div>
        {fieldError("wrappingAlgorithm")}
      </Fieldset>

      <Fieldset legend="Wrapping key spec" hint="The size of the RSA key pair KMS generates for wrapping.">
        <div className="grid gap-2 sm:grid-cols-2">
          {WRAPPING_KEY_SPECS.map((w) => {
            const check = algorithm ? checkWrapping(keyInfo.keySpec, keyInfo.region, algorithm, w) : { ok: false as const, reason: "Choose an algorithm first." };
            return (
              <Choice
                key={w}
                name="wrappingKeySpec"
                value={w}
                checked={wrappingKeySpec === w}
                disabled={!check.ok}
                onChange={() => setWrappingKeySpec(w)}
                label={<span className="font-mono text-sm">{w}</span>}
                note={check.ok ? undefined : `Not available: ${check.reason}`}
                recommended={fallback?.wrappingKeySpec === w && fallback.algorithm === algorithm}
              />
            );
          })}
        </div>
        {expected && (
          <p className="mt-2 text-sm text-ink-600">
            EncryptedKeyMaterial.bin will be {describeBlobSize(expected)}.
          </p>
        )}
        {fieldError("wrappingKeySpec")}
      </Fieldset>

      {symmetric && kind === "import" && (
        <Fieldset legend="Import type" hint="Symmetric keys can hold several generations of key material.">
          <div className="space-y-2">
            <Choice
              name="importType"
              value="NEW_KEY_MATERIAL"
              checked={importType === "NEW_KEY_MATERIAL"}
              onChange={() => setImportType("NEW_KEY_MATERIAL")}
              label="New key material"
              note={keyInfo.hasMaterial ? "This key already holds material: to bring in new material, request a rotation from the key's page." : "The first material this key receives."}
              disabled={keyInfo.hasMaterial}
            />
            <Choice
              name="importType"
              value="EXISTING_KEY_MATERIAL"
              checked={importType === "EXISTING_KEY_MATERIAL"}
              onChange={() => setImportType("EXISTING_KEY_MATERIAL")}
              label="The same key material again"
              note="Reimport material this key held before, e.g. after it expired or was deleted. KMS refuses any other material."
              disabled={!keyInfo.hasMaterial}
            />
          </div>
          {fieldError("importType")}
        </Fieldset>
      )}
      {kind === "rotate" && (
        <p className="rounded-md bg-accent-50 px-3 py-2 text-sm text-accent-800">
          A rotation imports NEW_KEY_MATERIAL, which waits as pending rotation, and then makes it current with RotateKeyOnDemand — both as the approver, after
          approval. Data encrypted under the previous material stays decryptable.
        </p>
      )}

      <Fieldset legend="Key material expiry" hint="KMS deletes expiring material at ValidTo; the key then needs the same material imported again.">
        <div className="space-y-2">
          <Choice name="expirationModel" value="KEY_MATERIAL_EXPIRES" checked={expires} onChange={() => setExpires(true)} label="Expires on a date" />
          {expires && (
            <div className="ml-7 flex flex-col gap-1">
              <label htmlFor={`${id}-validTo`} className="text-sm font-medium text-ink-800">
                ValidTo (00:00 UTC of this date)
              </label>
              <input
                id={`${id}-validTo`}
                type="date"
                name="validTo"
                value={validTo}
                min={minDate}
                max={maxDate}
                onChange={(e) => setValidTo(e.target.value)}
                aria-invalid={errors.validTo ? true : undefined}
                aria-describedby={errors.validTo ? `${id}-validTo-error` : `${id}-validTo-hint`}
                className="h-9 w-48 rounded-md border border-ink-300 px-2 text-sm shadow-sm"
              />
              <p id={`${id}-validTo-hint`} className="text-xs text-ink-600">
                Between tomorrow and {maxDate} (at most 365 days ahead).
              </p>
              {fieldError("validTo")}
            </div>
          )}
          <Choice name="expirationModel" value="KEY_MATERIAL_DOES_NOT_EXPIRE" checked={!expires} onChange={() => setExpires(false)} label="Does not expire" />
        </div>
      </Fieldset>

      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-justification`} className="text-sm font-semibold text-ink-900">
          Justification
        </label>
        <p id={`${id}-justification-hint`} className="text-sm text-ink-600">
          Why this import, now? Approvers read it before they decide, and it stays in the audit trail.
        </p>
        <textarea
          id={`${id}-justification`}
          name="justification"
          required
          rows={3}
          maxLength={1000}
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
          aria-invalid={errors.justification ? true : undefined}
          aria-describedby={`${id}-justification-hint${errors.justification ? ` ${id}-justification-error` : ""}`}
          className="rounded-md border border-ink-300 px-3 py-2 text-sm shadow-sm"
          placeholder="e.g. CHG-4821: first import of the card data KEK from the payments HSM"
        />
        {fieldError("justification")}
      </div>

      {message && (
        <Alert tone="danger">
          {message}
        </Alert>
      )}
      <div className="flex items-center gap-3">
        <button type="submit" disabled={pending} className="h-10 rounded-md bg-accent-600 px-5 text-sm font-semibold text-white hover:bg-accent-700 disabled:opacity-60">
          {pending ? "Asking KMS for parameters…" : "Get import parameters"}
        </button>
        <p className="text-sm text-ink-600">KMS issues a wrapping public key and an import token, valid for 24 hours, as you.</p>
      </div>
    </form>
  );
}

function Fieldset({ legend, hint, children }: { legend: string; hint: string; children: ReactNode }) {
  return (
    <fieldset>
      <legend className="text-sm font-semibold text-ink-900">{legend}</legend>
      <p className="mb-2 text-sm text-ink-600">{hint}</p>
      {children}
    </fieldset>
  );
}

function Choice({
  name,
  value,
  checked,
  disabled,
  onChange,
  label,
  note,
  recommended,
}: {
  name: string;
  value: string;
  checked: boolean;
  disabled?: boolean;
  onChange: () => void;
  label: ReactNode;
  note?: string;
  recommended?: boolean;
}) {
  const id = useId();
  return (
    <div
      className={`flex items-start gap-3 rounded-md px-3 py-2 ring-1 ring-inset ${
        checked ? "bg-accent-50 ring-accent-200" : disabled ? "bg-ink-50 ring-ink-100" : "bg-white ring-ink-200"
      }`}
    >
      <input
        id={id}
        type="radio"
        name={name}
        value={value}
        checked={checked}
        disabled={disabled}
        onChange={onChange}
        aria-describedby={note ? `${id}-note` : undefined}
        className="mt-1 size-4 accent-accent-600"
      />
      <div className="min-w-0">
        <label htmlFor={id} className={`flex flex-wrap items-center gap-2 ${disabled ? "text-ink-500" : "text-ink-900"}`}>
          {label}
          {recommended && <span className="rounded bg-alert-success-bg px-1.5 py-0.5 text-[11px] font-medium text-alert-success-fg">Recommended</span>}
        </label>
        {note && (
          <p id={`${id}-note`} className={`text-xs ${disabled ? "text-ink-500" : "text-ink-600"}`}>
            {note}
          </p>
        )}
      </div>
    </div>
  );
}
