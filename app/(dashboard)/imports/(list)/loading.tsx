import { Skeleton } from "@/components/ui/skeleton";

/** The imports page's shape while it loads: header, view tabs, sections of tables. */
export default function Loading() {
  return (
    <div role="status" aria-label="Loading imports">
      <Skeleton className="h-8 w-40" />
      <Skeleton className="mt-3 h-4 w-[36rem] max-w-full" />
      <div className="mt-6 flex gap-2 border-b border-ink-200 pb-3">
        <Skeleton className="h-8 w-24" />
        <Skeleton className="h-8 w-32" />
      </div>
      {[0, 1, 2].map((i) => (
        <div key={i} className="mt-8">
          <Skeleton className="h-5 w-64" />
          <Skeleton className="mt-2 h-4 w-96 max-w-full" />
          <div className="mt-3 space-y-2 rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200">
            <Skeleton className="h-9 w-full" />
            <Skeleton className="h-9 w-full" />
          </div>
        </div>
      ))}
    </div>
  );
}
