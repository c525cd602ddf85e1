"use client";

import { useRouter } from "next/navigation";
import { useId, useMemo, useState, useTransition, type FormEvent } from "react";
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
import { startImportRequest, startImportSession } from "../../actions";
import { Alert } from "@/components/ui/alert";
import type { ActionFailure } from "@/lib/auth/action-result";
import { Choice, Fieldset } from "./form-parts";

export type StartImportKey = {
  targetId: string;
  region: string;
  keyId: string;
  label: string;
  keySpec: KeySpec;
  keyState: string;
  hasMaterial: boolean;
};

/** A Region of a multi-Region key, as the session form offers it. */
export type SessionRegion = { region: string; role: "Primary" | "Replica" | null; keyState: string | null; hasMaterial: boolean; blockedBy: string | null };

/** The Regions a session starts with: those still waiting for material, or every open one when none waits. */
function defaultRegions(regions: SessionRegion[]): string[] {
  const open = regions.filter((r) => !r.blockedBy);
  const waiting = open.filter((r) => !r.hasMaterial);
  return (waiting.length > 0 ? waiting : open).map((r) => r.region);
}

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
export function StartImportForm({
  keyInfo,
  kind,
  serverNow,
  regions = [],
}: {
  keyInfo: StartImportKey;
  kind: "import" | "rotate" | "session";
  serverNow: number;
  /** For a session: every Region of the multi-Region key. */
  regions?: SessionRegion[];
}) {
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
  const [chosenRegions, setChosenRegions] = useState<string[]>(() => defaultRegions(regions));
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

  const refused = (result: ActionFailure) => {
    setErrors(result.fieldErrors ?? {});
    setMessage(result.message);
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setMessage(null);
    setErrors({});
    if (!algorithm || !wrappingKeySpec) {
      setErrors({ wrappingAlgorithm: ["Choose a wrapping algorithm and key spec."] });
      return;
    }
    const expiration = { expirationModel: expires ? ("KEY_MATERIAL_EXPIRES" as const) : ("KEY_MATERIAL_DOES_NOT_EXPIRE" as const), validTo: expires ? validTo : undefined };
    startTransition(async () => {
      if (kind === "session") {
        const result = await startImportSession({
          target: keyInfo.targetId,
          keyId: keyInfo.keyId,
          regions: chosenRegions,
          wrappingAlgorithm: algorithm,
          wrappingKeySpec,
          ...expiration,
          justification,
        });
        if (!result.ok) return refused(result);
        router.push(`/imports/sessions/${result.data.sessionId}`);
        return;
      }
      const result = await startImportRequest({
        target: keyInfo.targetId,
        region: keyInfo.region,
        keyId: keyInfo.keyId,
        kind,
        wrappingAlgorithm: algorithm,
        wrappingKeySpec,
        importType: symmetric ? (kind === "rotate" ? "NEW_KEY_MATERIAL" : importType) : undefined,
        ...expiration,
        justification,
      });
      if (!result.ok) return refused(result);
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
    <form
      onSubmit={onSubmit}
      className="space-y-6"
      aria-label={kind === "rotate" ? "Rotate to new key material" : kind === "session" ? "Start a multi-Region import" : "Start an import"}
      noValidate
    >
      {kind === "session" && (
        <Fieldset
          legend="Regions"
          hint="Each Region gets its own wrapping key and import token, and takes its own import of the same key material. Regions still waiting for material are chosen for you."
        >
          <div className="grid gap-2 sm:grid-cols-2">
            {regions.map((r) => (
              <Choice
                key={r.region}
                type="checkbox"
                name="regions"
                value={r.region}
                checked={chosenRegions.includes(r.region)}
                disabled={!!r.blockedBy}
                onChange={() => setChosenRegions((now) => (now.includes(r.region) ? now.filter((x) => x !== r.region) : [...now, r.region].sort()))}
                label={
                  <span>
                    <span className="font-mono text-sm">{r.region}</span>
                    {r.role && <span className="ml-2 text-xs text-ink-600">{r.role}</span>}
                  </span>
                }
                note={r.blockedBy ?? (r.hasMaterial ? "Holds material: takes the same material again (EXISTING_KEY_MATERIAL)." : "No material yet: takes its first material.")}
              />
            ))}
          </div>
          {fieldError("regions")}
        </Fieldset>
      )}
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

      {kind === "session" && symmetric && (
        <p className="rounded-md bg-accent-50 px-3 py-2 text-sm text-accent-800">
          Wrap one key material for every Region&rsquo;s public key. Related multi-Region keys interoperate only when every Region holds the same
          material; after approval Keyport imports it Region by Region, primary first, and proves that ciphertext crosses between them.
        </p>
      )}
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
          {pending ? "Asking KMS for parameters…" : kind === "session" ? `Get import parameters in ${chosenRegions.length === 1 ? "1 Region" : `${chosenRegions.length} Regions`}` : "Get import parameters"}
        </button>
        <p className="text-sm text-ink-600">
          {kind === "session"
            ? "KMS issues a wrapping public key and an import token in each Region, valid for 24 hours, as you."
            : "KMS issues a wrapping public key and an import token, valid for 24 hours, as you."}
        </p>
      </div>
    </form>
  );
}
