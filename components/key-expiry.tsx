import { Badge } from "@/components/ui/badge";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { expiryStatus } from "@/lib/inventory/expiry";
import { materialGroup } from "@/lib/inventory/sort";

/** The key material's expiration model and ValidTo, highlighted inside the warning window. */
export function ExpiryCell({
  expirationModel,
  validTo,
  keyState,
  now,
  warningDays,
}: {
  expirationModel: string | null;
  validTo: Date | null;
  keyState: string | null;
  now: number;
  warningDays: number;
}) {
  // The same grouping the list sorts by, so sorted rows and their labels agree.
  const group = materialGroup({ keyState, expirationModel, validTo });
  if (group === "none" && keyState === "PendingImport") return <span className="text-ink-500">No material</span>;
  if (group === "never") return <span className="text-ink-700">Never expires</span>;
  if (group === "none" || !validTo) return <span className="text-ink-400">—</span>;
  const status = expiryStatus(validTo, now, warningDays);
  const label = `${status === "expired" ? "Expired" : "Expires"} ${formatRelative(validTo, now)}`;
  return (
    <span className="flex flex-col gap-0.5" title={formatDateTime(validTo)}>
      {status === "expiring" || status === "expired" ? <Badge tone={status}>{label}</Badge> : <span className="text-ink-700">{label}</span>}
      <span className="text-xs text-ink-500">{formatDateTime(validTo)}</span>
    </span>
  );
}
