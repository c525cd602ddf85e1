import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { KeyIcon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Keys" };

export default function KeysPage() {
  return (
    <>
      <PageHeader
        title="Keys"
        description="KMS keys with imported key material (origin EXTERNAL), across every configured account and Region."
      />
      <EmptyState icon={<KeyIcon />} title="No external keys yet">
        Keys whose origin is EXTERNAL appear here once Keyport has read the inventory of each target account and
        Region: their state, key spec, when their material expires, and any import in progress.
      </EmptyState>
    </>
  );
}
