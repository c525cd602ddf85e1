import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requirePageSession } from "@/lib/auth/pages";
import { importDeps, read } from "@/lib/imports";
import { sessionIdSchema } from "@/lib/imports/schemas";

/** Decides "is there such a session" before anything streams, so an unknown id answers with a real 404. */
export default async function ImportSessionLayout({ children, params }: { children: ReactNode; params: Promise<{ id: string }> }) {
  await requirePageSession("imports.read");
  const parsed = sessionIdSchema.safeParse((await params).id);
  if (!parsed.success || !(await read.sessionExists(await importDeps(), parsed.data))) notFound();
  return children;
}
