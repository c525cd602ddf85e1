import { FindingsList } from "@/components/drift/findings-list";
import { keyFindings } from "@/lib/drift";
import { findingDto } from "@/lib/drift/dto";
import { acknowledgeDriftFinding } from "@/app/(dashboard)/imports/drift-actions";

/** This key's changes made in KMS outside Keyport, open first; auditors and admins acknowledge them here too. */
export async function DriftFindings({ keyRef, accountName, now, canAcknowledge }: { keyRef: { targetId: string; region: string; keyId: string }; accountName: string; now: number; canAcknowledge: boolean }) {
  const { rows, open } = await keyFindings(keyRef);
  return (
    <section aria-labelledby="drift-heading" className="lg:col-span-3">
      <h2 id="drift-heading" className="mb-3 flex items-center gap-2 text-sm font-semibold text-ink-900">
        Changed outside Keyport
        {open > 0 && <span className="rounded-full bg-alert-danger-bg px-2 py-0.5 text-xs font-medium text-alert-danger-fg">{open} open</span>}
      </h2>
      {rows.length ? (
        <FindingsList
          findings={rows.map((row) => findingDto(row, () => accountName))}
          now={now}
          showKey={false}
          acknowledge={canAcknowledge ? acknowledgeDriftFinding : undefined}
          label="Changes outside Keyport to this key"
        />
      ) : (
        <p className="rounded-card border border-dashed border-ink-300 bg-white px-4 py-5 text-sm text-ink-600">
          Nothing found: the key material, expiry and state KMS reports for this key match Keyport&apos;s audit trail as of the last inventory refresh.
        </p>
      )}
    </section>
  );
}
