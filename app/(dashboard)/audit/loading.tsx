import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <div role="status" aria-label="Loading the audit trail">
      <Skeleton className="h-8 w-24" />
      <Skeleton className="mt-3 h-4 w-[36rem] max-w-full" />
      <div className="mt-6 space-y-4">
        <Skeleton className="h-16 w-full rounded-card" />
        <Skeleton className="h-20 w-full rounded-card" />
        <div className="space-y-3 rounded-card bg-white p-4 shadow-card ring-1 ring-ink-200">
          {Array.from({ length: 10 }, (_, i) => (
            <Skeleton key={i} className="h-10 w-full" />
          ))}
        </div>
      </div>
    </div>
  );
}
