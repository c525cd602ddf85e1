import type { ReactNode } from "react";
import { requirePageSession } from "@/lib/auth/pages";

/** Checked before the loading boundary streams, so a person without the permission gets a real 404. */
export default async function AuditLayout({ children }: { children: ReactNode }) {
  await requirePageSession("audit.read");
  return children;
}
