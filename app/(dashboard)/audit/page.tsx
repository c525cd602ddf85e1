import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { ListIcon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Audit" };

export default function AuditPage() {
  return (
    <>
      <PageHeader
        title="Audit"
        description="The tamper-evident history of every sign-in, request, download, approval and import."
      />
      <EmptyState icon={<ListIcon />} title="No audit events yet">
        Every step of every import is recorded here in a hash chain that auditors can verify and export as CSV or
        JSON Lines.
      </EmptyState>
    </>
  );
}
