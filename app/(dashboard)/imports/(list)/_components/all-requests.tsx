import Link from "next/link";
import { redirect } from "next/navigation";
import { RequestsTable, type TargetNames } from "@/components/imports/requests-table";
import { EmptyState } from "@/components/ui/empty-state";
import { UploadIcon } from "@/components/ui/icons";
import { Pagination, pageCount } from "@/components/ui/pagination";
import { importDeps, read } from "@/lib/imports";
import { STATE_LABELS, type RequestState } from "@/lib/imports/states";

const PAGE_SIZE = 50;

function allHref(state: RequestState | undefined, page: number): string {
  const params = new URLSearchParams({ view: "all" });
  if (state) params.set("state", state);
  if (page > 1) params.set("page", String(page));
  return `/imports?${params.toString()}`;
}

/** Every request, or those in one state, newest first: fifty a page, however many years of imports there are. */
export async function AllRequests({ now, targets, state, page }: { now: number; targets: TargetNames; state: RequestState | undefined; page: number }) {
  const { rows, total } = await read.pageImportRequests(await importDeps(), state, { page, pageSize: PAGE_SIZE });
  // A page past the end (a bookmark from when there were more) opens the last page, as the key list does.
  if (page > pageCount(total, PAGE_SIZE)) redirect(allHref(state, pageCount(total, PAGE_SIZE)));
  if (total === 0)
    return (
      <EmptyState icon={<UploadIcon />} title={state ? `No ${STATE_LABELS[state].toLowerCase()} requests` : "No import requests yet"}>
        {state ? (
          <Link href="/imports?view=all" className="font-medium text-accent-700 underline">
            Show every request
          </Link>
        ) : (
          "When a custodian starts an import on a key, the request appears here with a live countdown to the expiry of its wrapping key and import token, and then its approval and import."
        )}
      </EmptyState>
    );
  return (
    <div className="space-y-4">
      <RequestsTable rows={rows} targets={targets} now={now} caption={state ? `${STATE_LABELS[state]} import requests` : "All import requests"} />
      <Pagination page={page} total={total} pageSize={PAGE_SIZE} hrefFor={(p) => allHref(state, p)} label="Pages of import requests" noun="request" />
    </div>
  );
}
