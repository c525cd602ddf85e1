import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requirePageSession } from "@/lib/auth/pages";
import { getKey } from "@/lib/inventory";
import { keyParamsSchema } from "@/lib/inventory/schemas";

/**
 * Decides "is there such a key" before anything streams, so an unknown or malformed key answers with a
 * real 404 status. (getKey is cached per request, so the page's own lookup costs nothing more.)
 */
export default async function KeyLayout({ children, params }: { children: ReactNode; params: Promise<{ target: string; region: string; keyId: string }> }) {
  await requirePageSession("keys.read");
  const parsed = keyParamsSchema.safeParse(await params);
  if (!parsed.success) notFound();
  if (!(await getKey(parsed.data.target, parsed.data.region, parsed.data.keyId))) notFound();
  return children;
}
