import type { ReactNode } from "react";
import { requirePageSession } from "@/lib/auth/pages";

/**
 * The form's permission, checked before the loading boundary below streams: checked only in the page, a
 * refusal came after a 200 had been sent, so someone without it saw a not-found page with a success status.
 */
export default async function StartImportLayout({ children }: { children: ReactNode }) {
  await requirePageSession("imports.request");
  return children;
}
