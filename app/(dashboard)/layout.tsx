import type { ReactNode } from "react";
import { TopBar } from "@/components/app-shell/top-bar";
import { UserMenu } from "@/components/app-shell/user-menu";
import { requirePageSession } from "@/lib/auth";
import { clockOffset } from "@/lib/clock";
import { getConfig } from "@/lib/config";
import { formatDuration } from "@/components/ui/format";

/**
 * Every dashboard page is for a signed-in person with at least one role: signed-out visitors go to sign-in
 * (proxy.ts usually got there first), people without a role to the no-access page. Pages, actions and
 * route handlers still check their own permission — a layout does not protect what it wraps.
 */
export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const session = await requirePageSession();
  const config = getConfig();
  const demo = config.mode === "demo";
  const { name, email, roles } = session.user;
  const sessionLength = formatDuration(config.auth.sessionMaxAgeSeconds);
  return (
    <div className="flex min-h-screen flex-col">
      <TopBar
        demo={demo ? { offsetMs: clockOffset() } : null}
        roles={roles}
        userMenu={
          <UserMenu
            user={{ name, email, roles }}
            mode={demo ? { demo: true } : { demo: false, providerName: config.auth.oidc?.name ?? "your identity provider" }}
            sessionLength={sessionLength}
          />
        }
      />
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-8 sm:px-6">
        {children}
      </main>
    </div>
  );
}
