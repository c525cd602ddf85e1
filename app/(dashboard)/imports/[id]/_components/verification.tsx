import { CommandBlock } from "@/components/ui/command-block";
import { formatDateTime } from "@/components/ui/format";
import { CheckIcon } from "@/components/ui/icons";
import { verificationCommand } from "@/lib/imports/commands";
import type { KeySpec } from "@/lib/imports/compat";
import type { VerificationResult } from "@/lib/imports/workflow";
import { Alert, alertClasses } from "@/components/ui/alert";

/** The last check that KMS holds working material (and the offline command that gives the same answer). */
export function Verification({ result, keySpec }: { result: VerificationResult | null; keySpec: KeySpec }) {
  const offline = verificationCommand(keySpec);
  if (!result) return <p className="text-sm text-ink-600">Not verified yet.</p>;
  if (!result.ok)
    return (
      <Alert tone="danger" inline>
        The check failed ({result.code}): {result.message}
      </Alert>
    );
  return (
    <div className="space-y-4">
      {result.method === "encrypt_decrypt" && (
        <p className="text-sm text-ink-800">
          <CheckIcon className={`mr-1 inline size-4 ${alertClasses.success.icon}`} />
          Encrypt/Decrypt round trip passed {formatDateTime(result.at)}
          {result.keyMaterialId && (
            <>
              {" "}
              with key material <code className="break-all font-mono text-xs">{result.keyMaterialId}</code>
              {result.sameMaterial === true ? " (the imported material)." : "."}
            </>
          )}
        </p>
      )}
      {result.method === "key_check_value" && (
        <div className="text-sm text-ink-800">
          <p>
            Key check value ({result.macAlgorithm} of &ldquo;{result.message}&rdquo;), computed by KMS {formatDateTime(result.at)}:
          </p>
          <p className="mt-1 break-all rounded bg-ink-50 px-2 py-1 font-mono text-xs">{result.mac}</p>
        </div>
      )}
      {result.method === "public_key_fingerprint" && (
        <div className="text-sm text-ink-800">
          <p>SHA-256 fingerprint of the public key KMS reports ({formatDateTime(result.at)}):</p>
          <p className="mt-1 break-all rounded bg-ink-50 px-2 py-1 font-mono text-xs">{result.sha256}</p>
        </div>
      )}
      {offline && <CommandBlock title={offline.title} note={offline.note} command={offline.command} />}
    </div>
  );
}
