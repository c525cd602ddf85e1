import type { ReactNode } from "react";
import { requirePageSession } from "@/lib/auth/pages";

/**
 * The section's permission, checked before any loading boundary below starts streaming, so a person
 * without it gets a real 404 status (not a 200 carrying a not-found page). Pages check again.
 */
export default async function KeysLayout({ children }: { children: ReactNode }) {
  await requirePageSession("keys.read");
  return children;
}
