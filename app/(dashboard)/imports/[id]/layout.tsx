import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requirePageSession } from "@/lib/auth/pages";
import { importDeps, read } from "@/lib/imports";
import { requestIdSchema } from "@/lib/imports/schemas";

/**
 * Decides "is there such a request" before the loading boundary streams, so a malformed or unknown id
 * answers with a real 404 status.
 */
export default async function ImportRequestLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  await requirePageSession("imports.read");
  const parsed = requestIdSchema.safeParse((await params).id);
  if (!parsed.success || !(await read.requestExists(await importDeps(), parsed.data))) notFound();
  return children;
}
