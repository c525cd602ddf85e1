import type { ReactNode } from "react";
import { TopBar } from "@/components/app-shell/top-bar";
import { getConfig } from "@/lib/config";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const config = getConfig();
  return (
    <div className="flex min-h-screen flex-col">
      <TopBar demo={config.mode === "demo"} />
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-8 sm:px-6">
        {children}
      </main>
    </div>
  );
}
