import { Alert } from "@/components/ui/alert";
import { formatDateTime } from "@/components/ui/format";
import type { BrokenGlass } from "@/lib/imports/read";

/**
 * The key's Regions whose material break glass deleted and no dual-control import has restored since, one
 * line per act (the Regions it left empty, when, who, why). It goes away by itself once each Region has
 * taken an import again: the state is read from the trail, not kept as a flag.
 */
export function BreakGlassBanner({ regions }: { regions: Array<{ region: string; brokenGlass: BrokenGlass }> }) {
  const acts = new Map<string, { brokenGlass: BrokenGlass; regions: string[] }>();
  for (const { region, brokenGlass } of regions) {
    const act = acts.get(brokenGlass.breakGlassId) ?? { brokenGlass, regions: [] };
    act.regions.push(region);
    acts.set(brokenGlass.breakGlassId, act);
  }
  return (
    <Alert tone="danger" title="Key material deleted by break glass." role="note" className="mb-6">
      {[...acts.values()].map(({ brokenGlass, regions: names }) => (
        <p key={brokenGlass.breakGlassId}>
          In <span className="font-mono">{names.join(", ")}</span> on {formatDateTime(brokenGlass.at)} by {brokenGlass.by}, without a second person:
          &ldquo;{brokenGlass.reason}&rdquo;
        </p>
      ))}
      <p className="mt-1">The key cannot be used there until its material is imported again under dual control; each Region is restored by its own import.</p>
    </Alert>
  );
}
