import type { ReactNode } from "react";
import { requirePageSession } from "@/lib/auth/pages";

/**
 * Reports read the key inventory: the section's permission is checked before any loading boundary below starts
 * streaming, so a person without it gets a real 404 status. Pages check again.
 */
export default async function ReportsLayout({ children }: { children: ReactNode }) {
  await requirePageSession("keys.read");
  return children;
}
