import { Skeleton } from "@/components/ui/skeleton";

/** The schedules page's shape while it loads: header, the due lists, the rotations, the timeline. */
export default function Loading() {
  return (
    <div role="status" aria-label="Loading schedules">
      <Skeleton className="h-8 w-32" />
      <Skeleton className="mt-3 h-4 w-[32rem] max-w-full" />
      <div className="mt-6 space-y-6">
        {Array.from({ length: 3 }, (_, i) => (
          <Skeleton key={i} className="h-16 w-full rounded-card" />
        ))}
        <Skeleton className="h-32 w-full rounded-card" />
        <Skeleton className="h-56 w-full rounded-card" />
      </div>
    </div>
  );
}
