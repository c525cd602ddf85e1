import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState } from "@/components/ui/empty-state";
import { ClockIcon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination, pageCount } from "@/components/ui/pagination";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { now } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { KEY_AGE_PAGE_SIZE, keyAgeReport } from "@/lib/imports/key-age-report";
import { keyAgeQuerySchema, keyAgeQueryString } from "@/lib/inventory/schemas";
import { AgeFilters } from "./_components/age-filters";
import { AgeTable } from "./_components/age-table";

export const metadata: Metadata = { title: "Key-age report" };

export default async function KeyAgePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requirePageSession("keys.read");
  const query = keyAgeQuerySchema.parse(await searchParams);
  const config = getConfig();
  const at = now();
  const filter = { targetId: query.target, region: query.region, bucket: query.age, text: query.q };
  const { rows, total } = await keyAgeReport({ db: await getDb(), now: () => at }, filter, { page: query.page, pageSize: KEY_AGE_PAGE_SIZE });
  const lastPage = pageCount(total, KEY_AGE_PAGE_SIZE);
  if (query.page > lastPage) redirect(`/reports/key-age${keyAgeQueryString({ ...query, page: lastPage })}`);
  const { page: _page, ...filters } = query;

  return (
    <>
      <PageHeader
        title="Key-age report"
        description="How old each external key's current key material is, when Keyport last imported into it, when it next expires, and how many on-demand rotations KMS still allows (10 per key for imported material). Read from the inventory's last refresh."
        actions={
          can(session.user.roles, "imports.export") && total > 0 ? (
            <a href={`/api/reports/key-age/export${keyAgeQueryString(filters)}`} className="inline-flex h-9 items-center rounded-md bg-white px-4 text-sm font-medium text-ink-800 ring-1 ring-inset ring-ink-300 hover:bg-ink-50">
              Download CSV
            </a>
          ) : undefined
        }
      />
      <div className="space-y-4">
        <AgeFilters query={query} targets={config.targets.map((t) => ({ id: t.id, name: t.name }))} regions={[...new Set(config.targets.flatMap((t) => t.regions))].sort()} />
        {total === 0 ? (
          <EmptyState icon={<ClockIcon />} title="No keys match" action={<Link href="/reports/key-age" className="rounded-md bg-accent-600 px-4 py-2 text-sm font-medium text-white hover:bg-accent-700">Clear filters</Link>}>
            No external key in the inventory matches these filters. Widen them, or refresh the inventory from the Keys page if keys are missing.
          </EmptyState>
        ) : (
          <>
            <AgeTable rows={rows} targets={new Map(config.targets.map((t) => [t.id, t.name]))} />
            <Pagination page={query.page} total={total} pageSize={KEY_AGE_PAGE_SIZE} hrefFor={(page) => `/reports/key-age${keyAgeQueryString({ ...query, page })}`} label="Pages of the key-age report" noun="key" />
          </>
        )}
      </div>
    </>
  );
}
