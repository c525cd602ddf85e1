import type { ReactNode } from "react";
import { requirePageSession } from "@/lib/auth/pages";

/** Checked before the page renders, so a person without the permission gets a real 404. */
export default async function SchedulesLayout({ children }: { children: ReactNode }) {
  await requirePageSession("keys.read");
  return children;
}
