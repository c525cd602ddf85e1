import Link from "next/link";
import type { ReactNode } from "react";
import { Logo } from "@/components/logo";
import { can, type Permission } from "@/lib/auth/permissions";
import type { Role } from "@/lib/config/schema";
import { DemoMarker } from "./demo-marker";
import { NavLinks, type NavItem } from "./nav-links";

export const SECTIONS: Array<NavItem & { permission: Permission }> = [
  { href: "/keys", label: "Keys", permission: "keys.read" },
  { href: "/imports", label: "Imports", permission: "imports.read" },
  { href: "/approvals", label: "Approvals", permission: "imports.read" },
  { href: "/schedules", label: "Schedules", permission: "keys.read" },
  { href: "/audit", label: "Audit", permission: "audit.read" },
  { href: "/sessions", label: "Sessions", permission: "sessions.manage" },
];

/**
 * The bar on every dashboard page. It lists only the sections the person may open (a convenience: each
 * section checks its permission itself). `userMenu` is the slot for the signed-in person's menu.
 */
export function TopBar({
  userMenu,
  demo,
  roles,
}: {
  userMenu?: ReactNode;
  /** Demo mode: the demo clock's offset (ms) and how long a session lasts, for the DEMO marker. */
  demo: { offsetMs: number } | null;
  roles: readonly Role[];
}) {
  const sections = SECTIONS.filter((s) => can(roles, s.permission)).map(({ href, label }) => ({ href, label }));
  return (
    <header className="bg-ink-900 print:hidden">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-3 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:text-ink-900"
      >
        Skip to content
      </a>
      {/* Below `sm` the sections take a row of their own under the logo and the menu, so none is hidden off-screen. */}
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 px-4 sm:h-14 sm:flex-nowrap sm:px-6">
        <Link href="/keys" className="flex h-14 items-center rounded-md focus-visible:outline-white" aria-label="Keyport home">
          <Logo />
        </Link>
        {demo && <DemoMarker offsetMs={demo.offsetMs} canSetClock={can(roles, "config.read")} />}
        <nav aria-label="Sections" className="order-last -mx-3 w-[calc(100%+1.5rem)] overflow-x-auto pb-2 sm:order-none sm:mx-0 sm:w-auto sm:min-w-0 sm:flex-1 sm:pb-0">
          <NavLinks items={sections} />
        </nav>
        <div className="ml-auto flex h-14 items-center sm:ml-0">{userMenu}</div>
      </div>
    </header>
  );
}
