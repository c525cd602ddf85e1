import { Skeleton } from "@/components/ui/skeleton";

/** The request page's shape while it loads: header, the main column of cards, the facts beside it. */
export default function Loading() {
  return (
    <div role="status" aria-label="Loading the import request">
      <Skeleton className="h-4 w-40" />
      <Skeleton className="mt-4 h-8 w-96 max-w-full" />
      <Skeleton className="mt-2 h-4 w-72 max-w-full" />
      <div className="mt-6 grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          {[40, 56, 32].map((h) => (
            <div key={h} className="space-y-3 rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200">
              <Skeleton className="h-4 w-48" />
              <Skeleton className={`w-full ${h === 56 ? "h-40" : h === 40 ? "h-24" : "h-16"}`} />
            </div>
          ))}
        </div>
        <div className="space-y-3 rounded-card bg-white p-5 shadow-card ring-1 ring-ink-200">
          {Array.from({ length: 8 }, (_, i) => (
            <Skeleton key={i} className="h-8 w-full" />
          ))}
        </div>
      </div>
    </div>
  );
}
