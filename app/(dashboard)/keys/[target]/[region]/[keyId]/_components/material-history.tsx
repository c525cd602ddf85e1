"use client";

import { useQuery } from "@tanstack/react-query";
import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/components/ui/format";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert } from "@/components/ui/alert";

type Entry = {
  keyMaterialId: string | null;
  state: string | null;
  importState: string | null;
  expirationModel: string | null;
  validTo: string | null;
  description: string | null;
  rotationDate: string | null;
  rotationType: string | null;
};

/** KeyMaterialState in words; a multi-Region key's new material waits for every replica's import first. */
function materialStateLabel(state: string | null): string {
  if (state === "PENDING_MULTI_REGION_IMPORT_AND_ROTATION") return "pending replica imports";
  return (state ?? "UNKNOWN").replace(/_/g, " ").toLowerCase();
}

type Response = { supported: boolean; entries: Entry[] } | { code: string; message: string };

/** The key material history, read live from KMS after the page has rendered from the cache. */
export function MaterialHistory({ href }: { href: string }) {
  const { data, isPending, isError, refetch } = useQuery({
    queryKey: ["key-material", href],
    queryFn: async () => {
      const response = await fetch(href, { cache: "no-store" });
      const body = (await response.json()) as Response;
      if (!response.ok && "message" in body) throw new Error(body.message);
      return body;
    },
    retry: false,
  });

  if (isPending)
    return (
      <div role="status" aria-label="Loading key material" className="space-y-2">
        <Skeleton className="h-8 w-full" />
        <Skeleton className="h-8 w-full" />
      </div>
    );
  if (isError || !data || !("entries" in data))
    return (
      <Alert tone="danger">
        AWS KMS could not be asked for this key&apos;s material history.{" "}
        <button type="button" onClick={() => void refetch()} className="font-medium underline">
          Try again
        </button>
      </Alert>
    );
  if (!data.supported)
    return <p className="text-sm text-ink-600">KMS keeps a key material history for symmetric encryption keys only.</p>;
  if (data.entries.length === 0) return <p className="text-sm text-ink-600">No key material has been imported into this key yet.</p>;
  // Scrolls sideways inside the card on a narrow screen; focusable so a keyboard can scroll it too.
  return (
    <div role="region" aria-label="Key material of this key" tabIndex={0} className="relative overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Key material of this key</caption>
        <thead className="text-xs uppercase tracking-wide text-ink-500">
          <tr>
            <th scope="col" className="py-2 pr-4 font-semibold">Key material id</th>
            <th scope="col" className="py-2 pr-4 font-semibold">State</th>
            <th scope="col" className="py-2 pr-4 font-semibold">Import</th>
            <th scope="col" className="py-2 pr-4 font-semibold">Expires</th>
            <th scope="col" className="py-2 font-semibold">Rotated</th>
          </tr>
        </thead>
        <tbody>
          {data.entries.map((e, i) => (
            <tr key={e.keyMaterialId ?? i} className="border-t border-ink-100 align-top">
              <td className="max-w-56 truncate py-2 pr-4 font-mono text-xs" title={e.keyMaterialId ?? undefined}>
                {e.keyMaterialId ?? "—"}
                {e.description && <span className="block font-sans text-ink-500">{e.description}</span>}
              </td>
              <td className="py-2 pr-4">
                <Badge tone={e.state === "CURRENT" ? "enabled" : e.state?.startsWith("PENDING_") ? "pending-import" : "neutral"}>
                  {materialStateLabel(e.state)}
                </Badge>
              </td>
              <td className="py-2 pr-4 text-ink-700">{e.importState === "IMPORTED" ? "Imported" : e.importState === "PENDING_IMPORT" ? "Pending import" : "—"}</td>
              <td className="py-2 pr-4 text-ink-700">
                {e.expirationModel === "KEY_MATERIAL_DOES_NOT_EXPIRE" ? "Never" : e.validTo ? formatDateTime(e.validTo) : "—"}
              </td>
              <td className="py-2 text-ink-700">{e.rotationDate ? `${formatDateTime(e.rotationDate)}${e.rotationType ? ` (${e.rotationType.toLowerCase()})` : ""}` : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
