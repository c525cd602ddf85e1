import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { UploadIcon } from "@/components/ui/icons";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Imports" };

export default function ImportsPage() {
  return (
    <>
      <PageHeader
        title="Imports"
        description="Import requests: parameters outstanding, wrapped material awaiting approval, and what was imported."
      />
      <EmptyState icon={<UploadIcon />} title="No import requests">
        When a custodian starts an import on a key, the request appears here with a live countdown to the expiry of
        its wrapping key and import token, and then its approval and import.
      </EmptyState>
    </>
  );
}
