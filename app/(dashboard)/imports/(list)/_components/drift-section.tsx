import type { TargetNames } from "@/components/imports/requests-table";
import { FindingsList } from "@/components/drift/findings-list";
import { recentFindings } from "@/lib/drift";
import { findingDto } from "@/lib/drift/dto";
import { acknowledgeDriftFinding } from "../../drift-actions";
import { Section } from "./section";

const ON_PAGE = 50;

/**
 * What the inventory refresh found changed in KMS without Keyport: open findings first, acknowledged ones
 * after (marked, with who accepted them and why). For auditors and admins, who acknowledge them.
 */
export async function DriftSection({ now, targets }: { now: number; targets: TargetNames }) {
  const { rows, open } = await recentFindings(ON_PAGE);
  const findings = rows.map((row) => findingDto(row, (id) => targets.get(id)?.name ?? id));
  return (
    <Section
      id="drift"
      title="Changed outside Keyport"
      count={open}
      hint="Key material imported or deleted, expiry changed, keys disabled or scheduled for deletion in AWS KMS with no Keyport request. Each refresh compares KMS with the audit trail; acknowledge a change once you know who made it and why."
    >
      {findings.length ? (
        <FindingsList findings={findings} now={now} showKey acknowledge={acknowledgeDriftFinding} label="Changes outside Keyport" />
      ) : (
        <div className="rounded-card border border-dashed border-ink-300 bg-white px-4 py-5 text-sm text-ink-600">
          <p className="font-medium text-ink-900">Nothing has changed outside Keyport.</p>
          <p className="mt-1">
            Every key material, expiry and key state KMS reports matches Keyport&apos;s audit trail. When someone imports or deletes material, changes an
            expiry, disables a key or schedules its deletion without Keyport, the next inventory refresh lists it here.
          </p>
        </div>
      )}
    </Section>
  );
}
