import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState } from "@/components/ui/empty-state";
import { KeyIcon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";
import { requirePageSession } from "@/lib/auth/pages";
import { can } from "@/lib/auth/permissions";
import { nowMs } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { inventoryStatus, keyFacets, listKeys } from "@/lib/inventory";
import { keysQuerySchema, keysQueryString } from "@/lib/inventory/schemas";
import { KeyFilters } from "./_components/key-filters";
import { KeysTable } from "./_components/keys-table";
import { Pagination, pageCount } from "./_components/pagination";
import { toStatusDto } from "@/lib/inventory/status-dto";
import { RefreshPanel } from "./_components/refresh-panel";

export const metadata: Metadata = { title: "Keys" };

const PAGE_SIZE = 50;

export default async function KeysPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const session = await requirePageSession("keys.read");
  const query = keysQuerySchema.parse(await searchParams);
  const config = getConfig();
  const now = nowMs();
  const warningDays = config.policy.expiryWarningDays;

  const [status, facets, { entries, total }] = await Promise.all([
    inventoryStatus(),
    keyFacets(),
    listKeys(
      {
        targetId: query.target,
        region: query.region,
        state: query.state,
        keySpec: query.spec,
        text: query.q,
        expiringBefore: query.expiring ? new Date(now + warningDays * 24 * 3600_000) : undefined,
      },
      { sort: query.sort, direction: query.dir, page: query.page, pageSize: PAGE_SIZE },
    ),
  ]);

  // A page past the end (a bookmark from when there were more keys, or a hand-edited URL) opens the last
  // page rather than an empty table under a count that contradicts it.
  const lastPage = pageCount(total, PAGE_SIZE);
  if (query.page > lastPage) redirect(`/keys${keysQueryString({ ...query, page: lastPage })}`);

  const targets = config.targets.map((t) => ({ id: t.id, name: t.name, accountId: t.accountId }));
  const regions = [...new Set(config.targets.flatMap((t) => t.regions))].sort();
  const filtered = !!(query.target || query.region || query.state || query.spec || query.q || query.expiring);
  const neverRefreshed = status.regions.every((r) => !r.lastSuccessAt);

  return (
    <>
      <PageHeader
        title="Keys"
        description="KMS keys with imported key material (origin EXTERNAL), across every configured account and Region."
        actions={
          <Link href="/reports/key-age" className="inline-flex h-9 items-center rounded-md bg-white px-4 text-sm font-medium text-ink-800 ring-1 ring-inset ring-ink-300 hover:bg-ink-50">
            Key-age report
          </Link>
        }
      />
      {config.targets.length === 0 ? (
        <EmptyState icon={<KeyIcon />} title="No AWS accounts are configured">
          Keyport lists keys from the accounts and Regions given in <code className="font-mono">KEYPORT_TARGETS</code> or{" "}
          <code className="font-mono">keyport.config.json</code>. Add a target (account id, role ARN, Regions) and restart
          Keyport; see the README, &ldquo;Configuration for real AWS&rdquo;.
        </EmptyState>
      ) : (
        <div className="space-y-4">
          <RefreshPanel initial={toStatusDto(status, now)} canRefresh={can(session.user.roles, "inventory.refresh")} />
          <KeyFilters
            query={query}
            targets={targets}
            regions={regions}
            states={facets.states}
            keySpecs={facets.keySpecs}
            warningDays={warningDays}
          />
          {total === 0 ? (
            filtered ? (
              <EmptyState icon={<KeyIcon />} title="No keys match these filters" action={<ClearFilters />}>
                Nothing in the inventory matches. Widen the filters, or clear them to see every external key.
              </EmptyState>
            ) : (
              <EmptyState icon={<KeyIcon />} title={neverRefreshed ? "The inventory has not been read yet" : "No external keys in these accounts"}>
                {neverRefreshed
                  ? "Keyport is reading the keys of each account and Region for the first time. They appear here as soon as the refresh above finishes."
                  : "The last refresh found no KMS keys with origin EXTERNAL. Create one in AWS KMS (origin EXTERNAL) and refresh the inventory."}
              </EmptyState>
            )
          ) : (
            <>
              <KeysTable entries={entries} query={query} now={now} warningDays={warningDays} targets={targets} />
              <Pagination query={query} total={total} pageSize={PAGE_SIZE} />
            </>
          )}
        </div>
      )}
    </>
  );
}

function ClearFilters() {
  return (
    <Link href={`/keys${keysQueryString({})}`} className="rounded-md bg-accent-600 px-4 py-2 text-sm font-medium text-white hover:bg-accent-700">
      Clear filters
    </Link>
  );
}
