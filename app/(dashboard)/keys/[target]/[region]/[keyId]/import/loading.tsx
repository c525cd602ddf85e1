import { Skeleton } from "@/components/ui/skeleton";

/** The start-import form's shape while it loads. */
export default function Loading() {
  return (
    <div role="status" aria-label="Loading">
      <Skeleton className="h-4 w-64" />
      <Skeleton className="mt-4 h-8 w-96 max-w-full" />
      <Skeleton className="mt-2 h-4 w-72" />
      <div className="mt-6 max-w-3xl space-y-3 rounded-card bg-white p-6 shadow-card ring-1 ring-ink-200">
        {Array.from({ length: 7 }, (_, i) => (
          <Skeleton key={i} className="h-12 w-full" />
        ))}
      </div>
    </div>
  );
}
