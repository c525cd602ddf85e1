import { Skeleton } from "@/components/ui/skeleton";

/** The approvals queue's shape while it loads: header and two request cards. */
export default function Loading() {
  return (
    <div role="status" aria-label="Loading approvals">
      <Skeleton className="h-8 w-40" />
      <Skeleton className="mt-3 h-4 w-[36rem] max-w-full" />
      {[0, 1].map((i) => (
        <div key={i} className="mt-6 rounded-card bg-white shadow-card ring-1 ring-ink-200">
          <div className="flex justify-between border-b border-ink-100 px-5 py-4">
            <Skeleton className="h-5 w-80" />
            <Skeleton className="h-7 w-36 rounded-full" />
          </div>
          <div className="grid gap-6 px-5 py-4 lg:grid-cols-5">
            <div className="grid grid-cols-2 gap-3 lg:col-span-3">
              {Array.from({ length: 8 }, (_, j) => (
                <Skeleton key={j} className="h-9 w-full" />
              ))}
            </div>
            <div className="space-y-2 lg:col-span-2">
              <Skeleton className="h-16 w-full" />
              <Skeleton className="h-9 w-48" />
            </div>
          </div>
        </div>
      ))}
    </div>
  );
}
