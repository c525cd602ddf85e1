import { Skeleton } from "@/components/ui/skeleton";

/** The key-age report's shape while it loads: header, filters, rows. */
export default function Loading() {
  return (
    <div role="status" aria-label="Loading the key-age report">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="mt-3 h-4 w-[32rem] max-w-full" />
      <div className="mt-6 space-y-4">
        <Skeleton className="h-20 w-full rounded-card" />
        <div className="space-y-px overflow-hidden rounded-card bg-white shadow-card ring-1 ring-ink-200">
          <Skeleton className="h-11 w-full rounded-none" />
          {Array.from({ length: 8 }, (_, i) => (
            <div key={i} className="flex items-center gap-6 px-4 py-4">
              <Skeleton className="h-8 w-56" />
              <Skeleton className="h-4 w-24" />
              <Skeleton className="h-8 w-28" />
              <Skeleton className="h-8 w-32" />
              <Skeleton className="h-8 w-28" />
              <Skeleton className="h-4 w-16" />
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
