import type { ReactNode } from "react";
import { requirePageSession } from "@/lib/auth/pages";

/** The section's permission, checked before the loading boundary below streams (so refusals are real 404s). */
export default async function ApprovalsLayout({ children }: { children: ReactNode }) {
  await requirePageSession("imports.read");
  return children;
}
