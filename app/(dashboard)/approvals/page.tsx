import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { ShieldCheckIcon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Approvals" };

export default function ApprovalsPage() {
  return (
    <>
      <PageHeader
        title="Approvals"
        description="Wrapped key material waiting for a second person. Nobody approves their own request."
      />
      <EmptyState icon={<ShieldCheckIcon />} title="Nothing is waiting for approval">
        Uploaded key material that awaits a decision appears here, with the key, account, Region, wrapping choice,
        the SHA-256 of every file and the time left on its import token.
      </EmptyState>
    </>
  );
}
