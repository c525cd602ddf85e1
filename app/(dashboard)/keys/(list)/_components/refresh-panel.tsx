"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { Badge } from "@/components/ui/badge";
import { formatCount, formatDateTime, formatRelative } from "@/components/ui/format";
import type { InventoryStatusDto } from "@/lib/inventory/status-dto";
import { refreshInventory } from "../actions";
import { Alert, alertClasses } from "@/components/ui/alert";

const STATUS_KEY = ["inventory-status"] as const;

async function fetchStatus(): Promise<InventoryStatusDto> {
  const response = await fetch("/api/inventory/status", { cache: "no-store" });
  if (!response.ok) throw new Error(`status ${response.status}`);
  return (await response.json()) as InventoryStatusDto;
}

/**
 * Refresh button, progress while a refresh runs (polled every second, every 30 s otherwise), when each
 * target/Region last succeeded, and the error of any that failed — without hiding the others.
 */
export function RefreshPanel({ initial, canRefresh }: { initial: InventoryStatusDto; canRefresh: boolean }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, startTransition] = useTransition();
  const [actionError, setActionError] = useState<string | null>(null);
  const { data, isError } = useQuery({
    queryKey: STATUS_KEY,
    queryFn: fetchStatus,
    initialData: initial,
    refetchInterval: (q) => (q.state.data?.running ? 1000 : 30_000),
  });

  // When a refresh finishes, re-render the server table from the fresh cache.
  const wasRunning = useRef(data.running);
  useEffect(() => {
    if (wasRunning.current && !data.running) router.refresh();
    wasRunning.current = data.running;
  }, [data.running, router]);

  // Keyport's clock, not the browser's: the server sends its "now" with every status (at least every 30 s).
  const now = data.now;

  const failed = data.regions.filter((r) => r.status === "failed");
  const running = data.running;
  const described = data.regions.reduce((n, r) => n + r.keysDescribed, 0);
  const toDescribe = data.regions.reduce((n, r) => n + r.keysToDescribe, 0);
  const listed = data.regions.reduce((n, r) => n + r.keysListed, 0);
  const successes = data.regions.map((r) => r.lastSuccessAt).filter((s): s is string => !!s);
  const oldestSuccess = successes.length === data.regions.length && successes.length > 0 ? successes.sort()[0] : null;

  const onRefresh = () => {
    setActionError(null);
    startTransition(async () => {
      const result = await refreshInventory({});
      if (!result.ok) setActionError(result.message);
      await queryClient.invalidateQueries({ queryKey: STATUS_KEY });
    });
  };

  return (
    <section aria-labelledby="inventory-status-heading" className="rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 id="inventory-status-heading" className="text-sm font-semibold text-ink-900">
            Inventory
          </h2>
          <p className="text-sm text-ink-600" aria-live="polite">
            {running
              ? `Refreshing: ${formatCount(listed, "key")} listed, ${described.toLocaleString("en")} of ${toDescribe.toLocaleString("en")} described.`
              : oldestSuccess
                ? `Every account and Region refreshed ${formatRelative(oldestSuccess, now)}.`
                : successes.length > 0
                  ? `${successes.length} of ${formatCount(data.regions.length, "account Region")} refreshed; the others have not succeeded yet.`
                  : "Not refreshed yet."}
            {isError && " (Status could not be updated; retrying.)"}
          </p>
        </div>
        {canRefresh && (
          <button
            type="button"
            onClick={onRefresh}
            disabled={pending || running}
            className="inline-flex h-9 items-center gap-2 rounded-md bg-accent-600 px-4 text-sm font-medium text-white hover:bg-accent-700 disabled:cursor-not-allowed disabled:opacity-60"
          >
            <svg aria-hidden viewBox="0 0 24 24" className={`size-4 ${running ? "animate-spin" : ""}`} fill="none" stroke="currentColor" strokeWidth="2">
              <path d="M20 12a8 8 0 11-2.34-5.66M20 4v4h-4" strokeLinecap="round" strokeLinejoin="round" />
            </svg>
            {running ? "Refreshing…" : "Refresh inventory"}
          </button>
        )}
      </div>
      {running && toDescribe > 0 && (
        <div className="mt-3 h-1.5 w-full overflow-hidden rounded-full bg-ink-100">
          <div
            role="progressbar"
            aria-label="Keys described"
            aria-valuemin={0}
            aria-valuemax={toDescribe}
            aria-valuenow={described}
            className="h-full rounded-full bg-accent-500 transition-[width]"
            style={{ width: `${Math.min(100, Math.round((described / toDescribe) * 100))}%` }}
          />
        </div>
      )}
      {actionError && (
        <Alert tone="danger" inline className="mt-3">
          {actionError}
        </Alert>
      )}
      {failed.length > 0 && (
        <ul className="mt-3 space-y-2">
          {failed.map((r) => (
            <li
              key={`${r.targetId}/${r.region}`}
              className={`rounded-md border px-3 py-2 text-sm ${alertClasses.danger.box}`}
            >
              <span className="font-semibold">
                {r.targetName} ({r.accountId}) · {r.region}:
              </span>{" "}
              {r.errorMessage ?? "The last refresh failed."}{" "}
              <span className="text-xs">
                {r.lastSuccessAt ? `Last success ${formatRelative(r.lastSuccessAt, now)}.` : "Never refreshed successfully."}
              </span>
            </li>
          ))}
        </ul>
      )}
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer text-ink-600 hover:text-ink-900">Each account and Region</summary>
        <table className="mt-2 w-full text-left text-sm">
          <caption className="sr-only">Refresh status per account and Region</caption>
          <thead className="text-xs uppercase tracking-wide text-ink-500">
            <tr>
              <th scope="col" className="py-1 pr-4 font-semibold">Account</th>
              <th scope="col" className="py-1 pr-4 font-semibold">Region</th>
              <th scope="col" className="py-1 pr-4 font-semibold">Status</th>
              <th scope="col" className="py-1 pr-4 font-semibold">Last success</th>
              <th scope="col" className="py-1 font-semibold">External keys</th>
            </tr>
          </thead>
          <tbody>
            {data.regions.map((r) => (
              <tr key={`${r.targetId}/${r.region}`} className="border-t border-ink-100">
                <td className="py-1.5 pr-4">{r.targetName}</td>
                <td className="py-1.5 pr-4 font-mono text-xs">{r.region}</td>
                <td className="py-1.5 pr-4">
                  <Badge tone={r.status === "failed" ? "expired" : r.status === "succeeded" ? "enabled" : r.status === "running" ? "accent" : "neutral"}>
                    {r.status === "idle" ? "Not yet" : r.status[0]!.toUpperCase() + r.status.slice(1)}
                  </Badge>
                </td>
                <td className="py-1.5 pr-4" title={r.lastSuccessAt ? formatDateTime(r.lastSuccessAt) : undefined}>
                  {r.lastSuccessAt ? formatRelative(r.lastSuccessAt, now) : "Never"}
                </td>
                <td className="py-1.5">{r.externalKeys.toLocaleString("en")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
