"use client";

import { useRouter } from "next/navigation";
import { useId, useRef, useState, useTransition, type FormEvent } from "react";
import { fitsBlobSize, type BlobSize } from "@/lib/imports/compat";
import { uploadWrappedKeyMaterial } from "../../actions";
import { Alert } from "@/components/ui/alert";

async function sha256Hex(file: File): Promise<string | null> {
  try {
    const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  } catch {
    return null; // Not a secure context: the server still shows the hash after the upload.
  }
}

/**
 * Upload EncryptedKeyMaterial.bin. The browser checks the size against the wrapping choice and shows the
 * file's SHA-256 before anything is sent; the server checks the size again and stores the file sealed.
 */
export function UploadForm({ requestId, expected, expectedLabel, replacing }: { requestId: string; expected: BlobSize; expectedLabel: string; replacing: boolean }) {
  const router = useRouter();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<{ file: File; sha256: string | null } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const onChange = async () => {
    setDone(null);
    const chosen = input.current?.files?.[0];
    if (!chosen) {
      setFile(null);
      setProblem(null);
      return;
    }
    const size = chosen.size;
    setProblem(
      fitsBlobSize(size, expected)
        ? null
        : `This file is ${size.toLocaleString("en")} bytes; for this request EncryptedKeyMaterial.bin must be ${expectedLabel}. Was it wrapped with this request's WrappingPublicKey.bin and algorithm?`,
    );
    setFile({ file: chosen, sha256: await sha256Hex(chosen) });
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file || problem) return;
    const form = new FormData();
    form.set("requestId", requestId);
    form.set("file", file.file);
    startTransition(async () => {
      const result = await uploadWrappedKeyMaterial(form);
      if (!result.ok) {
        setProblem(result.fieldErrors?.file?.[0] ?? result.message);
        return;
      }
      setDone(`Uploaded ${result.data.size.toLocaleString("en")} bytes, SHA-256 ${result.data.sha256}. The request now awaits approval.`);
      setFile(null);
      if (input.current) input.current.value = "";
      router.refresh();
    });
  };

  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Upload wrapped key material">
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-file`} className="text-sm font-medium text-ink-800">
          {replacing ? "Replace EncryptedKeyMaterial.bin" : "EncryptedKeyMaterial.bin"}
        </label>
        <input
          ref={input}
          id={`${id}-file`}
          name="file"
          type="file"
          onChange={() => void onChange()}
          aria-describedby={`${id}-hint${problem ? ` ${id}-problem` : ""}`}
          aria-invalid={problem ? true : undefined}
          className="block w-full text-sm text-ink-700 file:mr-3 file:h-9 file:rounded-md file:border-0 file:bg-ink-100 file:px-3 file:text-sm file:font-medium file:text-ink-800 hover:file:bg-ink-200"
        />
        <p id={`${id}-hint`} className="text-xs text-ink-600">
          Expected size: {expectedLabel}. Keyport stores it encrypted and shows its SHA-256 to the approvers.
          {replacing ? " A new upload replaces the current one; approvals of the current one stop counting." : ""}
        </p>
      </div>
      {file && (
        <p className="break-all text-xs text-ink-700">
          Selected: {file.file.name}, {file.file.size.toLocaleString("en")} bytes
          {file.sha256 && (
            <>
              , SHA-256 <code className="font-mono">{file.sha256}</code>
            </>
          )}
        </p>
      )}
      {problem && (
        <Alert tone="danger" inline id={`${id}-problem`}>
          {problem}
        </Alert>
      )}
      <button
        type="submit"
        disabled={!file || !!problem || pending}
        className="h-9 rounded-md bg-accent-600 px-4 text-sm font-medium text-white hover:bg-accent-700 disabled:cursor-not-allowed disabled:opacity-60"
      >
        {pending ? "Uploading…" : "Upload"}
      </button>
      <p role="status" aria-live="polite" className="break-all text-sm text-alert-success-fg">
        {done}
      </p>
    </form>
  );
}
